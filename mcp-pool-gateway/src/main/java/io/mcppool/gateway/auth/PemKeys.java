package io.mcppool.gateway.auth;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the public keys of a PEM file ({@code -----BEGIN PUBLIC KEY-----} blocks, or certificates) as JWKs.
 * With the JDK alone, so Bouncy Castle stays out of the jar.
 */
final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemKeys() {
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    static List<JWK> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("gateway.auth.jwt.publicKeyFile: cannot read " + file + ": " + e, e);
        }
        List<JWK> keys = new ArrayList<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(block.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.auth.jwt.publicKeyFile: " + file + " has a '" + type
                        + "' block that is not valid base64", e);
            }
            try {
                switch (type) {
                    case "PUBLIC KEY" -> keys.add(toJwk(publicKey(der)));
                    case "CERTIFICATE" -> keys.add(toJwk(CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(der)).getPublicKey()));
                    case "RSA PUBLIC KEY" -> throw new IllegalArgumentException("gateway.auth.jwt.publicKeyFile: "
                            + file + " holds a PKCS#1 'RSA PUBLIC KEY'; convert it with "
                            + "'openssl rsa -RSAPublicKey_in -in KEY -pubout' to a 'PUBLIC KEY'");
                    default -> {
                        // private keys and parameters are not ours to read: a public key file holds public keys
                        if (type.contains("PRIVATE")) {
                            throw new IllegalArgumentException("gateway.auth.jwt.publicKeyFile: " + file
                                    + " holds a private key; give the public key only");
                        }
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("gateway.auth.jwt.publicKeyFile: " + file
                        + " has a '" + type + "' that is not an RSA or EC public key: " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("gateway.auth.jwt.publicKeyFile: " + file
                    + " holds no '-----BEGIN PUBLIC KEY-----' block");
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    private static JWK toJwk(PublicKey key) throws GeneralSecurityException {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new GeneralSecurityException("unsupported EC curve");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        throw new GeneralSecurityException("key algorithm " + key.getAlgorithm());
    }
}
