package io.wharf.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP port that forwards to the Docker engine's unix socket. Closing it makes the engine
 * unreachable for whoever connects through it, without touching the engine other tests use.
 */
final class DockerSocketProxy implements AutoCloseable {
  private final ServerSocketChannel server;
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private DockerSocketProxy(ServerSocketChannel server) {
    this.server = server;
    Thread.ofVirtual().start(this::accept);
  }

  static DockerSocketProxy start(int port) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
    server.bind(new InetSocketAddress("127.0.0.1", port));
    return new DockerSocketProxy(server);
  }

  int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  private void accept() {
    while (!closed) {
      try {
        SocketChannel client = server.accept();
        SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
        engine.connect(UnixDomainSocketAddress.of("/var/run/docker.sock"));
        open.add(client);
        open.add(engine);
        Thread.ofVirtual().start(() -> pump(client, engine));
        Thread.ofVirtual().start(() -> pump(engine, client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
    } catch (IOException e) {
      // One side closed; close the other below.
    }
    try {
      to.close();
      from.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (SocketChannel c : open) {
      c.close();
    }
  }
}
