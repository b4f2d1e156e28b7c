package dev.wharf.proxy.upstream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM as openssl writes it: certificates, and private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}, possibly after {@code EC PARAMETERS}). The last two are
 * wrapped into PKCS#8 here (RFC 5208, RFC 5915), so no provider beyond the JDK's is needed. Failures are
 * {@link IllegalArgumentException} with a reason, never key material.
 */
public final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** AlgorithmIdentifier rsaEncryption with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    /** OID id-ecPublicKey. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private record Block(String type, byte[] der) {}

    private Pem() {}

    /** Every certificate in {@code pem}; none is an empty list. */
    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(pem)) {
                if (block.type().equals("CERTIFICATE")) {
                    certificates.add(
                            (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a CERTIFICATE block is not a valid X.509 certificate");
        }
        return certificates;
    }

    /** The first private key in {@code pem}. */
    public static PrivateKey privateKey(String pem) {
        for (Block block : blocks(pem)) {
            switch (block.type()) {
                case "PRIVATE KEY":
                    return pkcs8(block.der(), "RSA", "EC", "Ed25519");
                case "RSA PRIVATE KEY":
                    return pkcs8(sequence(VERSION_0, RSA_ALGORITHM, octetString(block.der())), "RSA");
                case "EC PRIVATE KEY":
                    return pkcs8(sec1ToPkcs8(block.der()), "EC");
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException("the private key is encrypted (expected: an unencrypted key)");
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block");
    }

    private static List<Block> blocks(String pem) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("RSA PRIVATE KEY") && m.group(0).contains("Proc-Type")) {
                throw new IllegalArgumentException("the private key is encrypted (expected: an unencrypted key)");
            }
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a " + m.group(1) + " block is not base64");
            }
        }
        return blocks;
    }

    private static PrivateKey pkcs8(byte[] der, String... algorithms) {
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm: try the next.
            }
        }
        throw new IllegalArgumentException(
                "the private key is not a valid " + String.join(" or ", algorithms) + " key");
    }

    /** ECPrivateKey (RFC 5915) to PrivateKeyInfo: the curve comes from the key's own {@code [0]} parameters. */
    private static byte[] sec1ToPkcs8(byte[] sec1) {
        Der outer = new Der(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IllegalArgumentException("the EC private key is not a DER sequence");
        }
        int at = outer.contentStart;
        while (at < outer.end) {
            Der element = new Der(sec1, at);
            if (element.tag == (byte) 0xa0) {
                byte[] curve = Arrays.copyOfRange(sec1, element.contentStart, element.end);
                return sequence(VERSION_0, sequence(EC_PUBLIC_KEY, curve), octetString(sec1));
            }
            at = element.end;
        }
        throw new IllegalArgumentException("the EC private key names no curve");
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** One DER element at {@code offset}: its tag, where its content starts and where it ends. */
    private static final class Der {
        final byte tag;
        final int contentStart;
        final int end;

        Der(byte[] der, int offset) {
            if (offset + 2 > der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            tag = der[offset];
            int first = der[offset + 1] & 0xff;
            int length;
            int start;
            if (first < 0x80) {
                length = first;
                start = offset + 2;
            } else {
                int bytes = first & 0x7f;
                if (bytes == 0 || bytes > 3 || offset + 2 + bytes > der.length) {
                    throw new IllegalArgumentException("bad DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[offset + 2 + i] & 0xff);
                }
                start = offset + 2 + bytes;
            }
            if (start + length > der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            contentStart = start;
            end = start + length;
        }
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
