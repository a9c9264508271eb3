package io.mcppool.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyConverter;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.Key;
import java.security.PublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the keys a token's signature is checked with, by the token's {@code alg}: only keys of that
 * algorithm's type (Nimbus' {@link JWKMatcher#forJWSHeader}: an RSA key for RS256, a P-256 key for ES256, a
 * secret for HS256), so a public key is never used as an HMAC secret.
 * <ul>
 * <li>The fixed keys (the HS secret, the PEM public keys) have no key id; a token's {@code kid} does not
 * narrow them.</li>
 * <li>A JWKS file's keys are matched by {@code kid} too, as an identity provider that rotates keys names them.
 * The file is read again when its modification time, size or identity (a rename over it) changes, so keys
 * rotate without a restart; the check is one {@code stat} per token. A file that cannot be read or parsed
 * keeps the previous keys (a writer may be half done) and is logged once per change.</li>
 * </ul>
 * Java keys are made once per key, not per token.
 */
final class VerificationKeys implements JWSKeySelector<SecurityContext> {
    private static final Logger LOG = LoggerFactory.getLogger(VerificationKeys.class);

    private record FileStamp(FileTime modified, long size, Object fileKey) {
    }

    private record Candidate(JWK jwk, Key key) {
    }

    private record Loaded(FileStamp stamp, List<Candidate> keys) {
    }

    private final Map<JWSAlgorithm, List<Key>> fixedByAlgorithm;
    private final Path jwksFile;
    private final ReentrantLock reloading = new ReentrantLock();
    private volatile Loaded loaded;

    /** @throws IllegalArgumentException when the JWKS file cannot be read or holds no key */
    VerificationKeys(List<JWK> fixedKeys, Optional<Path> jwksFile, Set<JWSAlgorithm> accepted) {
        Map<JWSAlgorithm, List<Key>> fixed = new HashMap<>();
        for (JWSAlgorithm algorithm : accepted) {
            JWKMatcher matcher = JWKMatcher.forJWSHeader(new JWSHeader(algorithm));
            List<Key> keys = new ArrayList<>();
            for (Candidate candidate : candidates(fixedKeys)) {
                if (matcher != null && matcher.matches(candidate.jwk)) {
                    keys.add(candidate.key);
                }
            }
            fixed.put(algorithm, List.copyOf(keys));
        }
        this.fixedByAlgorithm = Map.copyOf(fixed);
        this.jwksFile = jwksFile.orElse(null);
        if (this.jwksFile != null) {
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
    public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) {
        List<Key> fixed = fixedByAlgorithm.get(header.getAlgorithm());
        if (fixed == null) {
            return List.of();
        }
        if (jwksFile == null) {
            return fixed;
        }
        JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
        if (matcher == null) {
            return fixed;
        }
        List<Key> keys = new ArrayList<>(fixed);
        for (Candidate candidate : current()) {
            if (matcher.matches(candidate.jwk)) {
                keys.add(candidate.key);
            }
        }
        return keys;
    }

    private List<Candidate> current() {
        Loaded now = loaded;
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
                    // remember the stamp so a broken file is not parsed again for every token
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

    private List<Candidate> read() throws IOException, ParseException {
        JWKSet set = JWKSet.load(jwksFile.toFile());
        if (set.isEmpty()) {
            throw new ParseException("no keys in the set", 0);
        }
        return candidates(set.getKeys());
    }

    private static List<Candidate> candidates(List<JWK> jwks) {
        List<Candidate> candidates = new ArrayList<>();
        for (JWK jwk : jwks) {
            // a set written with private parts still only verifies
            JWK verifying = Objects.requireNonNullElse(jwk.toPublicJWK(), jwk);
            for (Key key : KeyConverter.toJavaKeys(List.of(verifying))) {
                if (key instanceof PublicKey || key instanceof SecretKey) {
                    candidates.add(new Candidate(verifying, key));
                }
            }
        }
        return List.copyOf(candidates);
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
