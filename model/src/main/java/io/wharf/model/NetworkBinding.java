package io.wharf.model;

/** A published port: the host address and port a container port is reachable on. */
public record NetworkBinding(String bindIp, int containerPort, int hostPort, String protocol) {}
