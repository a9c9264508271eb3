package io.mcppool.gateway.auth;

import io.mcppool.config.ApiKeySettings;
import io.mcppool.config.RateLimit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configured API keys, by the SHA-256 of the key: a token is hashed, looked up (one hash probe, whatever
 * the number of keys), and the stored hash confirmed with a constant-time comparison. Only hashes are held;
 * comparing hashes instead of keys also means the time taken says nothing about how much of a guess was right.
 */
final class ApiKeys {
    private record Entry(byte[] sha256, AuthResult.Allowed allowed) {
    }

    private final Map<ByteBuffer, Entry> byHash;

    /** @throws IllegalArgumentException when two clients have the same key, or two keys the same name */
    ApiKeys(List<ApiKeySettings> keys, RateLimit gatewayRateLimit) {
        Map<ByteBuffer, Entry> map = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (ApiKeySettings key : keys) {
            if (!names.add(key.name())) {
                throw new IllegalArgumentException("gateway.auth.apiKeys: the name '" + key.name()
                        + "' is used twice; each client needs its own name (it keys rate limits and caches)");
            }
            byte[] hash = HexFormat.of().parseHex(key.sha256());
            ClientIdentity client = new ClientIdentity(key.name(), AccessPolicy.of(key.allow()),
                    key.rateLimit().orElse(gatewayRateLimit), false, ClientIdentity.Credential.apiKey(key.sha256()));
            Entry previous = map.put(ByteBuffer.wrap(hash), new Entry(hash, new AuthResult.Allowed(client)));
            if (previous != null) {
                throw new IllegalArgumentException("gateway.auth.apiKeys: '" + key.name() + "' and '"
                        + previous.allowed.client().name() + "' have the same key");
            }
        }
        this.byHash = Map.copyOf(map);
    }

    boolean isEmpty() {
        return byHash.isEmpty();
    }

    /** The client whose key has this SHA-256, or null. */
    AuthResult.Allowed find(byte[] hash) {
        Entry entry = byHash.get(ByteBuffer.wrap(hash));
        if (entry == null || !MessageDigest.isEqual(entry.sha256, hash)) {
            return null;
        }
        return entry.allowed;
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
