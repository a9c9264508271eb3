package io.mcppool.gateway.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys JWT signatures are checked with: the fixed ones (HS256 secret, PEM public keys) and those of a JWKS
 * file, which is read again when its modification time, size or identity (a rename over it) changes, so keys
 * rotate without a restart. The check is one {@code stat} per token; a file that cannot be read or parsed
 * keeps the previous keys (a writer may be half done) and is logged once per change.
 */
final class VerificationKeys implements JWKSource<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(VerificationKeys.class);

    private record FileStamp(FileTime modified, long size, Object fileKey) {
    }

    private record Loaded(FileStamp stamp, JWKSet keys) {
    }

    private final List<JWK> fixedKeys;
    private final Path jwksFile;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Loaded loaded;

    /** @throws IllegalArgumentException when the JWKS file cannot be read or holds no key */
    VerificationKeys(List<JWK> fixedKeys, Optional<Path> jwksFile) {
        this.fixedKeys = List.copyOf(fixedKeys);
        this.jwksFile = jwksFile.orElse(null);
        if (this.jwksFile == null) {
            this.loaded = new Loaded(null, new JWKSet(this.fixedKeys));
        } else {
            FileStamp stamp = stamp();
            try {
                this.loaded = new Loaded(stamp, read());
            } catch (IOException | ParseException | RuntimeException e) {
                throw new IllegalArgumentException("gateway.auth.jwt.jwksFile: cannot load " + this.jwksFile + ": "
                        + e.getMessage(), e);
            }
        }
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        return selector.select(current());
    }

    JWKSet current() {
        Loaded now = loaded;
        if (jwksFile == null) {
            return now.keys;
        }
        FileStamp stamp = stamp();
        if (stamp == null || stamp.equals(now.stamp)) {
            // gone for a moment (replaced by a rename) or unchanged: the keys we have
            return now.keys;
        }
        reloading.lock();
        try {
            now = loaded;
            if (!stamp.equals(now.stamp)) {
                try {
                    now = new Loaded(stamp, read());
                    LOG.info("reloaded JWKS file {}: {} keys", jwksFile, now.keys.size());
                } catch (IOException | ParseException | RuntimeException e) {
                    // remember the stamp so a broken file is not parsed again on every request
                    LOG.warn("JWKS file {} changed but cannot be loaded, keeping the previous keys: {}", jwksFile,
                            e.getMessage());
                    now = new Loaded(stamp, now.keys);
                }
                loaded = now;
            }
            return now.keys;
        } finally {
            reloading.unlock();
        }
    }

    private JWKSet read() throws IOException, ParseException {
        JWKSet file = JWKSet.load(jwksFile.toFile());
        if (file.isEmpty()) {
            throw new ParseException("no keys in the set", 0);
        }
        List<JWK> keys = new ArrayList<>(fixedKeys);
        for (JWK key : file.getKeys()) {
            // a set written with private parts still only verifies
            keys.add(Objects.requireNonNullElse(key.toPublicJWK(), key));
        }
        return new JWKSet(keys);
    }

    private FileStamp stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(jwksFile, BasicFileAttributes.class);
            return new FileStamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            return null;
        }
    }
}
