package io.shepherd.runtime.testing;

import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shepherd.runtime.ShepherdServer;
import io.shepherd.runtime.config.ShepherdConfig;

/** A real runtime on a free port of loopback, in this JVM, over a test database. */
public final class TestRuntime implements AutoCloseable {
    public static final String ADMIN = "test-admin-token";
    public static final String CLIENT = "test-client-token";
    public static final String ENROLL = "test-enroll-token";

    private final ShepherdServer server;
    private final Http http;

    private TestRuntime(ShepherdServer server) {
        this.server = server;
        this.http = new Http("http://127.0.0.1:" + server.port());
    }

    public static TestRuntime start(TestDatabase db) {
        return start(db, Map.of());
    }

    public static TestRuntime start(TestDatabase db, Map<String, String> overrides) {
        return start(db, overrides, java.time.Clock.systemUTC());
    }

    public static TestRuntime start(TestDatabase db, Map<String, String> overrides, java.time.Clock clock) {
        Map<String, String> values = new HashMap<>();
        values.put("server.port", "0");
        values.put("server.host", "127.0.0.1");
        values.put("data.dir", db.dataDir().toString());
        values.put("db.url", db.url());
        values.put("auth.admin-tokens", ADMIN);
        values.put("auth.client-tokens", CLIENT);
        values.put("auth.enroll-tokens", ENROLL);
        values.putAll(overrides);
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(values).build())
                .addSource(ConfigSources.classpath("shepherd-defaults.yaml").build())
                .build();
        return new TestRuntime(ShepherdServer.start(ShepherdConfig.from(config), clock));
    }

    public Http http() {
        return http;
    }

    public ShepherdServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public TestBot registerBot(String name, String... types) {
        return TestBot.register(http, name, types);
    }

    @Override
    public void close() {
        server.close();
    }
}
