package io.shepherd.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.helidon.http.Method;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SDK's fault tolerance against a fake runtime: a real HTTP server on loopback that answers as told. */
class RuntimeClientTest {
    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    volatile int status = 503;
    volatile boolean retryAfter;
    /** When above 0, the fake answers 200 from this request on (counted from 1), whatever {@link #status} says. */
    volatile int healthyFrom;

    String startFake() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            int seen = requests.incrementAndGet();
            int status = healthyFrom > 0 && seen >= healthyFrom ? 200 : this.status;
            byte[] body = ("{\"status\":" + status + "}").getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (retryAfter) {
                exchange.getResponseHeaders().add("Retry-After", "2");
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopFake() {
        if (server != null) {
            server.stop(0);
        }
    }

    static RuntimeClient client(List<String> servers, int failures, Duration delay) {
        return new RuntimeClient(servers, new RuntimeClient.Settings(Duration.ofMillis(500), failures, delay,
                Duration.ofMillis(20), Duration.ofMillis(100), 4));
    }

    static ApiResponse call(RuntimeClient c) {
        return c.callOnce(Method.GET, "/v1/stats", "t", null, Duration.ofSeconds(2), "test");
    }

    @Test
    void circuitOpensAfterTheConfiguredFailuresAndHalfOpensAfterItsDelay() throws Exception {
        String url = startFake();
        RuntimeClient client = client(List.of(url), 3, Duration.ofMillis(800));
        for (int i = 0; i < 3; i++) {
            assertThrows(ServerFailure.class, () -> call(client));
        }
        assertEquals("OPEN", client.circuits().get(url));
        int seen = requests.get();
        assertThrows(ServerFailure.class, () -> call(client));
        assertEquals(seen, requests.get(), "an open circuit does not even try the runtime");

        Thread.sleep(1200);
        assertEquals("HALF_OPEN", client.circuits().get(url));
        status = 200;
        assertEquals(200, call(client).status());
        assertEquals("CLOSED", client.circuits().get(url));
    }

    @Test
    void a503WithRetryAfterIsRetriedButDoesNotOpenTheCircuit() throws Exception {
        String url = startFake();
        retryAfter = true; // the runtime is alive; its database is not
        RuntimeClient client = client(List.of(url), 2, Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            assertThrows(ServerFailure.class, () -> call(client));
        }
        assertEquals("CLOSED", client.circuits().get(url));
        status = 200;
        assertEquals(200, call(client).status(), "back the moment the runtime is");
    }

    @Test
    void aRuntimeThatAnswers4xxIsNotFailing() throws Exception {
        String url = startFake();
        status = 409;
        RuntimeClient client = client(List.of(url), 2, Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            assertEquals(409, call(client).status());
        }
        assertEquals("CLOSED", client.circuits().get(url));
    }

    @Test
    void callsFailOverToTheNextRuntime() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        String deadUrl = "http://127.0.0.1:" + dead;
        String url = startFake();
        status = 200;
        RuntimeClient client = client(List.of(deadUrl, url), 5, Duration.ofSeconds(30));
        assertEquals(200, call(client).status());
        assertEquals(url, client.lastGood());
        int before = requests.get();
        assertEquals(200, call(client).status());
        assertEquals(before + 1, requests.get(), "the next call starts with the runtime that answered");
    }

    @Test
    void retriesWithBackoffUntilTheRuntimeAnswers() throws Exception {
        String url = startFake();
        RuntimeClient client = client(List.of(url), 100, Duration.ofSeconds(30));
        // the runtime comes back on the third call: counted, not timed (the whole backoff is ~140 ms)
        healthyFrom = 3;
        long started = System.nanoTime();
        ApiResponse answer = client.callRetrying(Method.GET, "/v1/stats", "t", null, Duration.ofSeconds(2), "test");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, answer.status());
        assertEquals(3, requests.get(), "two refused calls, then the one answered");
        assertEquals(2, client.retries(), "retried " + client.retries());
        assertTrue(tookMillis >= 16 + 32, "waited between calls: " + tookMillis + " ms");
    }

    @Test
    void retriesGiveUpAfterTheConfiguredCalls() throws Exception {
        String url = startFake();
        RuntimeClient client = client(List.of(url), 100, Duration.ofSeconds(30));
        assertThrows(ServerFailure.class,
                () -> client.callRetrying(Method.GET, "/v1/stats", "t", null, Duration.ofSeconds(2), "test"));
        assertEquals(4, requests.get(), "4 calls in all");
    }

    @Test
    void backoffDoublesWithinJitterAndIsCapped() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 10);
        for (int retry = 1; retry <= 12; retry++) {
            long base = Math.min(1000L << (retry - 1), 60_000L);
            for (int i = 0; i < 100; i++) {
                long d = backoff.delayMillis(retry);
                assertTrue(d >= base * 0.8 && d <= base * 1.2, retry + ": " + d);
            }
        }
        assertTrue(backoff.nextDelayMillis(0, 0, 9).isPresent());
        assertTrue(backoff.nextDelayMillis(0, 0, 10).isEmpty(), "10 calls in all");
    }
}
