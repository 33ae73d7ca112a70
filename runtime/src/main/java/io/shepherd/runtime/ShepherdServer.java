package io.shepherd.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.shepherd.runtime.auth.Authenticator;
import io.shepherd.runtime.auth.TokenFile;
import io.shepherd.runtime.config.ShepherdConfig;
import io.shepherd.runtime.http.Api;
import io.shepherd.runtime.http.ApiFilter;
import io.shepherd.runtime.http.BotsHttpService;
import io.shepherd.runtime.http.ErrorHandlers;
import io.shepherd.runtime.http.HealthHttpService;
import io.shepherd.runtime.http.JobsHttpService;
import io.shepherd.runtime.http.RecoveryHttpService;
import io.shepherd.runtime.recovery.LeaderElection;
import io.shepherd.runtime.recovery.MarkLostBots;
import io.shepherd.runtime.recovery.Policies;
import io.shepherd.runtime.recovery.PolicyFileWatcher;
import io.shepherd.runtime.recovery.PolicyProviders;
import io.shepherd.runtime.recovery.PostgresLeaderElection;
import io.shepherd.runtime.recovery.QuarantineBots;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.recovery.RescueExpiredLeases;
import io.shepherd.runtime.http.StatsHttpService;
import io.shepherd.runtime.service.BotSessions;
import io.shepherd.runtime.service.CancelJob;
import io.shepherd.runtime.service.ClaimJobs;
import io.shepherd.runtime.service.CompleteJob;
import io.shepherd.runtime.service.FailJob;
import io.shepherd.runtime.service.Heartbeat;
import io.shepherd.runtime.service.Problem;
import io.shepherd.runtime.service.ReadBots;
import io.shepherd.runtime.service.ReadJobs;
import io.shepherd.runtime.service.RegisterBot;
import io.shepherd.runtime.service.ReleaseJob;
import io.shepherd.runtime.service.RetryJob;
import io.shepherd.runtime.service.SubmitJobs;
import io.shepherd.runtime.store.Database;
import io.shepherd.runtime.store.SchemaMigrator;
import io.shepherd.runtime.store.Dialect;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;
import io.shepherd.runtime.wake.PostgresJobSignal;

/**
 * The runtime, wired in plain sight: configuration → database → services → routing → server.
 */
public final class ShepherdServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ShepherdServer.class.getName());

    private final ShepherdConfig config;
    private final Database database;
    private final JobSignal signal;
    private final Policies policies;
    private final PolicyFileWatcher policyWatcher;
    private final RecoveryScheduler recovery;
    private final SchemaMigrator schema;
    private final WebServer server;
    private final AtomicBoolean draining = new AtomicBoolean();

    private ShepherdServer(ShepherdConfig config, Clock clock) {
        this.config = config;
        Authenticator.TokenSet tokens = tokens(config);
        this.database = Database.open(config.database());
        try {
            Stores stores = Stores.of(database);
            this.signal = database.dialect() == Dialect.POSTGRESQL
                    ? new PostgresJobSignal(config.database().url(), config.database().username(),
                    config.database().password(), database::connection, clock)
                    : new JobSignal();
            var settings = config.settings();
            Api api = new Api(new Authenticator(tokens, stores), config.maxBody());
            Random random = new Random();

            this.policies = new Policies(PolicyProviders.builtIn(), config.policies());
            this.policyWatcher = config.policiesFile()
                    .map(file -> PolicyFileWatcher.start(file, policies, 1000))
                    .orElse(null);
            boolean postgres = database.dialect() == Dialect.POSTGRESQL;
            this.recovery = new RecoveryScheduler(stores, clock, config.recoveryInterval(),
                    settings.heartbeatInterval(),
                    postgres ? new PostgresLeaderElection(config.database().url(), config.database().username(),
                            config.database().password()) : LeaderElection.alone(),
                    UUID.randomUUID().toString(),
                    new RescueExpiredLeases(stores, policies, signal, random),
                    new MarkLostBots(stores, config.botsLostAfter()),
                    new QuarantineBots(stores, policies));

            HttpRouting.Builder routing = HttpRouting.builder()
                    .addFilter(new ApiFilter(config.maxBody(), database::migrated))
                    .register("/v1/jobs", new JobsHttpService(api,
                            new SubmitJobs(stores, signal, clock, policies),
                            new ReadJobs(stores),
                            new CancelJob(stores, clock),
                            new RetryJob(stores, signal, clock),
                            new CompleteJob(stores, clock),
                            new FailJob(stores, signal, clock, policies, random),
                            new ReleaseJob(stores, signal, clock)))
                    .register("/v1/bots", new BotsHttpService(api, settings,
                            new RegisterBot(stores, clock),
                            new BotSessions(stores, signal, clock),
                            new Heartbeat(stores, clock, settings),
                            new ClaimJobs(stores, signal, clock, settings),
                            new ReadBots(stores)))
                    .register("/v1/stats", new StatsHttpService(api, new ReadJobs(stores)))
                    .register("/v1/admin/recovery", new RecoveryHttpService(api, recovery))
                    .register("/", new HealthHttpService(database, draining::get, clock))
                    .any((req, res) -> {
                        throw Problem.notFound("No such resource: " + req.path().path());
                    });
            ErrorHandlers.register(routing);

            this.schema = new SchemaMigrator(database, () -> {
                if (config.recoveryEnabled()) {
                    recovery.start();
                }
            });

            this.server = WebServer.builder()
                    .config(config.config().get("server"))
                    .routing(routing)
                    .build();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    public RecoveryScheduler recovery() {
        return recovery;
    }

    public Policies policies() {
        return policies;
    }

    /** Builds and starts the runtime with the system clock. */
    public static ShepherdServer start(ShepherdConfig config) {
        return start(config, Clock.systemUTC());
    }

    public static ShepherdServer start(ShepherdConfig config, Clock clock) {
        ShepherdServer shepherd = new ShepherdServer(config, clock);
        shepherd.server.start();
        shepherd.schema.start();
        if (!config.recoveryEnabled()) {
            LOG.log(System.Logger.Level.INFO, "recovery.enabled is false: this replica never sweeps on its own");
        }
        LOG.log(System.Logger.Level.INFO, "Shepherd listening on port " + shepherd.port() + " with "
                + shepherd.database.dialect() + " (" + redact(shepherd.database.url()) + ")");
        return shepherd;
    }

    private static Authenticator.TokenSet tokens(ShepherdConfig config) {
        if (!config.tokens().isEmpty()) {
            return config.tokens();
        }
        try {
            Authenticator.TokenSet generated = TokenFile.loadOrCreate(config.dataDir());
            LOG.log(System.Logger.Level.INFO, "No tokens configured; using the generated tokens in "
                    + TokenFile.path(config.dataDir()) + " (mode 0600)");
            return generated;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the token file under " + config.dataDir(), e);
        }
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&;]*", "password=***");
    }

    /** Waits until the schema is migrated (the API serves); false when the time ran out. */
    public boolean awaitMigrated(java.time.Duration timeout) throws InterruptedException {
        return schema.await(timeout);
    }

    public int port() {
        return server.port();
    }

    public Database database() {
        return database;
    }

    public ShepherdConfig config() {
        return config;
    }

    /** Readiness goes DOWN first, so load balancers stop sending before the server stops. */
    public void drain() {
        draining.set(true);
    }

    @Override
    public void close() {
        drain();
        try {
            schema.close();
            recovery.close();
            if (policyWatcher != null) {
                policyWatcher.close();
            }
            server.stop();
        } finally {
            signal.close();
            database.close();
            LOG.log(System.Logger.Level.INFO, "Shepherd stopped");
        }
    }
}
