package dev.wharf.proxy.lab;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test with BouncyCastle: it issues a server certificate for 127.0.0.1 and
 * localhost and client certificates, written as PEM files the way openssl writes them.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCa(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A fresh CA named {@code name}. */
    public static TestCa create(String name) {
        KeyPair keys = rsa();
        X500Name subject = new X500Name("CN=" + name);
        try {
            X509v3CertificateBuilder builder = builder(subject, subject, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            return new TestCa(keys, sign(builder, keys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the CA certificate as PEM to {@code file}. */
    public Path writeCertificate(Path file) {
        return write(file, pem(certificate));
    }

    /** Issues a server certificate for 127.0.0.1 and localhost; writes it to {@code cert} and its PKCS#8 key to {@code key}. */
    public void issueServer(Path cert, Path key) {
        KeyPair serverKeys = rsa();
        try {
            X509v3CertificateBuilder builder = builder(issuer(), new X500Name("CN=127.0.0.1"), serverKeys);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")
            }));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            write(cert, pem(sign(builder, keys)));
            write(key, pkcs8(serverKeys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Issues a client certificate; {@code ec} chooses an EC P-256 key written as SEC1 ({@code EC PRIVATE KEY}),
     * otherwise an RSA key written as PKCS#1 ({@code RSA PRIVATE KEY}), as openssl's traditional forms.
     */
    public void issueClient(Path cert, Path key, boolean ec) {
        issueClient(cert, key, ec, "wharf-client");
    }

    /** As {@link #issueClient(Path, Path, boolean)}, with the subject {@code CN=commonName}. */
    public void issueClient(Path cert, Path key, boolean ec, String commonName) {
        KeyPair clientKeys = ec ? ec() : rsa();
        try {
            X509v3CertificateBuilder builder = builder(issuer(), new X500Name("CN=" + commonName), clientKeys);
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            write(cert, pem(sign(builder, keys)));
            write(key, ec ? sec1(clientKeys) : pkcs1(clientKeys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SEC1 with the curve named in its parameters, as {@code openssl ecparam -genkey} writes it. */
    private static String sec1(KeyPair keys) throws IOException {
        ECPrivateKey key = (ECPrivateKey) keys.getPrivate();
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), SECObjectIdentifiers.secp256r1)
                .getEncoded();
        return block("EC PRIVATE KEY", der);
    }

    /** PKCS#1, as {@code openssl genrsa -traditional} writes it. */
    private static String pkcs1(KeyPair keys) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(keys.getPrivate());
        }
        return out.toString();
    }

    private static String block(String type, byte[] der) {
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN " + type + "-----\n" + mime.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private X500Name issuer() {
        return new X500Name(certificate.getSubjectX500Principal().getName());
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("could not sign a certificate", e);
        }
    }

    private static String pem(X509Certificate certificate) {
        return SelfSignedCertificate.pem(certificate);
    }

    private static String pkcs8(KeyPair keys) {
        Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN PRIVATE KEY-----\n"
                + mime.encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
