package io.wharf.haproxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP target on loopback: answers its name on every path, {@code healthStatus} on {@code
 * /health}, and (while {@code holdSlow}) holds {@code /slow} until {@link #release} is called.
 */
final class TestBackend implements AutoCloseable {
  final String name;
  final HttpServer server;
  final AtomicInteger healthStatus = new AtomicInteger(200);
  final AtomicInteger served = new AtomicInteger();
  final CountDownLatch slowStarted = new CountDownLatch(1);
  volatile boolean holdSlow = true;
  private final CountDownLatch slowRelease = new CountDownLatch(1);

  TestBackend(String name, String address) {
    this.name = name;
    try {
      server = HttpServer.create(new InetSocketAddress(address, 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          int status = 200;
          if (path.equals("/health")) {
            status = healthStatus.get();
          } else {
            served.incrementAndGet();
          }
          if (path.equals("/slow") && holdSlow) {
            slowStarted.countDown();
            try {
              slowRelease.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] body = name.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  String address() {
    return server.getAddress().getAddress().getHostAddress();
  }

  int port() {
    return server.getAddress().getPort();
  }

  void release() {
    slowRelease.countDown();
  }

  static int freePort(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(address, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }
}
