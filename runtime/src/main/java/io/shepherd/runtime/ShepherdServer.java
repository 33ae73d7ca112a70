package io.shepherd.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.shepherd.plugins.api.HealthCheck;
import io.shepherd.plugins.api.HealthCheckProvider;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.runtime.http.MetricsHttpService;
import io.shepherd.runtime.http.PluginsHttpService;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.shepherd.runtime.plugins.HealthRegistry;
import io.shepherd.runtime.plugins.HealthRunner;
import io.shepherd.runtime.plugins.JarPluginHost;
import io.shepherd.runtime.plugins.PluginInfo;
import io.shepherd.runtime.plugins.RuntimeHealthContext;
import io.shepherd.runtime.plugins.ScriptHost;
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
    private final RuntimeMetrics metrics;
    private final SchemaMigrator schema;
    private final HealthRegistry healthChecks;
    private final HealthRunner health;
    private final JarPluginHost jars;
    private final ScriptHost scripts;
    private final List<PluginInfo> builtIns = new ArrayList<>();
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
            this.metrics = new RuntimeMetrics(new RuntimeMetrics.Figures() {
                public java.util.Map<String, Long> jobsByStatus() {
                    return database.read(db -> stores.jobs().countByStatus(db));
                }

                public java.util.Map<String, Long> botsByStatus() {
                    return database.read(db -> stores.bots().countByStatus(db));
                }

                public long orphanedNow() {
                    return stores.recovery().countExpiredLeases(database.execute(), clock.millis());
                }

                public double botFailureRate() {
                    return database.read(db -> stores.recovery().failureRate(db, clock.millis() - 300_000));
                }

                public boolean leader() {
                    return recovery != null && recovery.status().leader();
                }

                public long lastSweepAtMillis() {
                    return stores.recovery().lastSweepAt(database.execute());
                }
            }, ReadJobs.JOB_STATUSES, ReadJobs.BOT_STATUSES);

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
                    new RescueExpiredLeases(stores, policies, signal, random, metrics),
                    new MarkLostBots(stores, config.botsLostAfter()),
                    new QuarantineBots(stores, policies), metrics::swept);

            this.healthChecks = new HealthRegistry();
            for (HealthCheckProvider provider : ServiceLoader.load(HealthCheckProvider.class,
                    ShepherdServer.class.getClassLoader())) {
                for (HealthCheck check : provider.checks()) {
                    healthChecks.add(check, "builtin");
                    builtIns.add(PluginInfo.loaded(check.name(), PluginInfo.HEALTH_CHECK, "builtin"));
                }
            }
            policies.providers().names().forEach(name ->
                    builtIns.add(PluginInfo.loaded(name, PluginInfo.RECOVERY_POLICY, "builtin")));
            this.health = new HealthRunner(healthChecks, () -> new RuntimeHealthContext(stores, clock,
                    recovery::status, config.recoveryEnabled(), config.recoveryInterval(), config.dataDir()),
                    config.checkTimeout(), config.healthCache(), metrics::healthChecked);
            this.jars = new JarPluginHost(config.pluginsDir(), config.dataDir().resolve("plugin-cache"), healthChecks,
                    policies.providers());
            this.scripts = new ScriptHost(config.scriptsDir(), config.checkTimeout(), healthChecks, policies.providers());

            ReadJobs readJobs = new ReadJobs(stores);
            HealthHttpService healthHttp = new HealthHttpService(health, database::migrated, draining::get, clock);
            HttpRouting.Builder routing = HttpRouting.builder()
                    .addFilter(new ApiFilter(config.maxBody(), database::migrated))
                    .register("/v1/jobs", new JobsHttpService(api,
                            new SubmitJobs(stores, signal, clock, policies, metrics),
                            readJobs,
                            new CancelJob(stores, clock),
                            new RetryJob(stores, signal, clock),
                            new CompleteJob(stores, clock, metrics),
                            new FailJob(stores, signal, clock, policies, random, metrics),
                            new ReleaseJob(stores, signal, clock)))
                    .register("/v1/bots", new BotsHttpService(api, settings,
                            new RegisterBot(stores, clock),
                            new BotSessions(stores, signal, clock, metrics),
                            new Heartbeat(stores, clock, settings),
                            new ClaimJobs(stores, signal, clock, settings, metrics),
                            new ReadBots(stores)))
                    .register("/v1/stats", new StatsHttpService(api, readJobs))
                    .register("/v1/admin/recovery", new RecoveryHttpService(api, recovery))
                    .register("/v1/admin/plugins", new PluginsHttpService(api, this::plugins))
                    .register("/metrics", new MetricsHttpService(metrics::orphanedGaugeText))
                    .register("/", healthHttp)
                    .any((req, res) -> {
                        if (req.path().path().startsWith("/observe")) {
                            res.next(); // Helidon's observe endpoints are routed after ours
                            return;
                        }
                        throw Problem.notFound("No such resource: " + req.path().path());
                    });
            ErrorHandlers.register(routing);

            this.schema = new SchemaMigrator(database, () -> {
                if (config.recoveryEnabled()) {
                    recovery.start();
                }
            });

            // Helidon's own /observe/health, on the same checks
            HealthObserver observer = HealthObserver.builder()
                    .details(true)
                    .useSystemServices(false)
                    .addCheck(() -> helidonResponse(HealthHttpService.liveness()), HealthCheckType.LIVENESS, "liveness")
                    .addCheck(() -> helidonResponse(healthHttp.readiness()), HealthCheckType.READINESS, "readiness")
                    .addCheck(() -> helidonResponse(health.run(false).checks()), HealthCheckType.STARTUP, "deep")
                    .build();
            this.server = WebServer.builder()
                    .config(config.config().get("server"))
                    .addFeature(ObserveFeature.just(observer, MetricsObserver.create()))
                    .routing(routing)
                    .build();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static HealthCheckResponse helidonResponse(java.util.Map<String, HealthStatus> checks) {
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(checks.values().stream().allMatch(HealthStatus::up));
        checks.forEach((name, status) -> response.detail(name, status.up() ? "UP" : "DOWN"));
        return response.build();
    }

    /** Every health check and recovery policy in force or refused: built-in, jar, script. */
    public List<PluginInfo> plugins() {
        List<PluginInfo> all = new ArrayList<>(builtIns);
        all.addAll(jars.list());
        all.addAll(scripts.list());
        return all;
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
        shepherd.jars.start(1000);
        shepherd.scripts.start(1000);
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
            jars.close();
            scripts.close();
            health.close();
            metrics.close();
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
