/**
 * The transport SPI: how a session sends and receives JSON-RPC messages ({@link io.mcppool.transport.Transport}), made
 * per session by a {@link io.mcppool.transport.TransportFactory} that a server's config names
 * ({@code EndpointConfig.Custom}); and the failures a transport reports. stdio and Streamable HTTP are built in.
 */
package io.mcppool.transport;
