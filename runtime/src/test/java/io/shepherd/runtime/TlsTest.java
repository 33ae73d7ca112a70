package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import org.junit.jupiter.api.Test;

/**
 * The API over TLS, configured as the README says ({@code server.tls.private-key.keystore}): a
 * client that trusts the certificate submits a job over HTTPS; one that does not is refused at
 * the handshake, and plain HTTP on the TLS port gets no answer from the API.
 */
class TlsTest {
    @Test
    void theApiServesOverTlsWithTheConfiguredCertificate() throws Exception {
        Path dir = Files.createTempDirectory("shepherd-tls-");
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "shepherd", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "test-pass", "-keypass", "test-pass")
                .redirectErrorStream(true).start();
        assertEquals(true, keytool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, keytool.exitValue(), new String(keytool.getInputStream().readAllBytes()));

        try (TestDatabase db = TestDatabase.create("h2");
             TestRuntime runtime = TestRuntime.start(db, Map.of(
                     "server.tls.private-key.keystore.resource.path", keystore.toString(),
                     "server.tls.private-key.keystore.passphrase", "test-pass",
                     "server.tls.private-key.keystore.key.alias", "shepherd",
                     "server.tls.private-key.keystore.cert-chain.alias", "shepherd"))) {
            URI jobs = URI.create("https://127.0.0.1:" + runtime.port() + "/v1/jobs");
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                trusted.load(in, "test-pass".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> created = client.send(HttpRequest.newBuilder(jobs)
                    .header("Authorization", "Bearer " + TestRuntime.CLIENT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\": \"over-tls\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());

            HttpClient stranger = HttpClient.newHttpClient(); // trusts only the JDK's authorities
            assertThrows(SSLHandshakeException.class, () -> stranger.send(HttpRequest.newBuilder(jobs).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/v1/jobs")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()), "plain HTTP gets no API answer on the TLS port");
        }
    }
}
