package io.shepherd.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.webserver.WebServer;
import io.shepherd.plugins.api.HealthContext;
import io.shepherd.runtime.auth.Authenticator;
import io.shepherd.runtime.auth.TokenFile;
import io.shepherd.runtime.config.ShepherdConfig;
import io.shepherd.runtime.db.Database;
import io.shepherd.runtime.db.SchemaMigrator;
import io.shepherd.runtime.health.HealthMonitor;
import io.shepherd.runtime.health.HealthRegistry;
import io.shepherd.runtime.health.RuntimeHealthContext;
import io.shepherd.runtime.http.Api;
import io.shepherd.runtime.http.ApiFilter;
import io.shepherd.runtime.http.HealthHttpService;
import io.shepherd.runtime.http.Routes;
import io.shepherd.runtime.lifecycle.Background;
import io.shepherd.runtime.lifecycle.Lifecycle;
import io.shepherd.runtime.metrics.DatabaseFigures;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.plugins.JarPluginHost;
import io.shepherd.runtime.plugins.PluginCatalog;
import io.shepherd.runtime.plugins.PluginInfo;
import io.shepherd.runtime.plugins.script.ScriptHost;
import io.shepherd.runtime.policy.Policies;
import io.shepherd.runtime.policy.PolicyFileWatcher;
import io.shepherd.runtime.policy.PolicyProviders;
import io.shepherd.runtime.recovery.MarkLostBots;
import io.shepherd.runtime.recovery.PruneFinished;
import io.shepherd.runtime.recovery.QuarantineBots;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.recovery.RescueExpiredLeases;
import io.shepherd.runtime.recovery.TimeOutJobs;
import io.shepherd.runtime.schedule.ScheduleBook;
import io.shepherd.runtime.schedule.Scheduler;
import io.shepherd.runtime.schedule.Schedules;
import io.shepherd.runtime.lifecycle.WatchedFile;
import io.shepherd.runtime.service.Services;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * The runtime, wired in plain sight and in the order data flows: storage → policy → duties →
 * plugins → routes. Every background part is started here through one {@link Lifecycle}, which
 * closes them in the reverse order; nothing else starts a thread.
 */
public final class ShepherdServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ShepherdServer.class.getName());
    /** How often the policies file and the plugin folders are looked at. */
    private static final long WATCH_PERIOD_MILLIS = 1000;

    private final ShepherdConfig config;
    private final Lifecycle lifecycle;
    private final Database database;
    private final SchemaMigrator schema;
    private final Policies policies;
    private final RecoveryScheduler recovery;
    private final PluginCatalog plugins;
    private final Scheduler scheduler;
    private final WebServer server;
    private final AtomicBoolean draining = new AtomicBoolean();

    private ShepherdServer(ShepherdConfig config, Clock clock, Lifecycle life) {
        this.config = config;
        this.lifecycle = life;
        // storage: the pool (the database may still be away), the schema, the wake-up signal
        try {
            TokenFile.createPrivateDirectory(config.dataDir()); // the embedded database and the tokens live here
        } catch (java.io.IOException e) {
            throw new UncheckedIOException("Cannot create the data directory " + config.dataDir(), e);
        }
        database = life.closing("database", Database.open(config.database()));
        schema = life.start(new SchemaMigrator(database));
        Stores stores = Stores.of(database);
        JobSignal signal = life.start(database.dialect().jobSignal(config.database(), database, clock));
        RuntimeMetrics metrics = life.start(new RuntimeMetrics(new DatabaseFigures(stores, clock), clock,
                config.metricsInterval(), config.finishedCountsInterval()));

        // policy: the recovery policies in force, and their file when there is one
        policies = new Policies(PolicyProviders.builtIn(), config.policies(), stores, new Random());
        config.policiesFile().ifPresent(file -> life.start(PolicyFileWatcher.watch(file, policies, WATCH_PERIOD_MILLIS)));

        // duties: recovery, led by one replica
        recovery = new RecoveryScheduler(stores, clock, config.recoveryInterval(), config.settings().heartbeatInterval(),
                database.dialect().leaderElection(config.database()), replicaName(),
                new RescueExpiredLeases(stores, policies, signal, metrics), new TimeOutJobs(stores, policies, signal, metrics),
                new MarkLostBots(stores, config.botsLostAfter()), new QuarantineBots(stores, policies),
                new PruneFinished(stores, policies, config.retention(), metrics), config.retention().interval(), metrics);
        if (config.recoveryEnabled()) {
            life.start(recovery);
        } else {
            LOG.log(System.Logger.Level.INFO, "recovery.enabled is false: this replica never sweeps on its own");
        }

        // plugins: built-in health checks, plugin jars, scripts; then every check on its schedule
        HealthRegistry checks = HealthRegistry.withBuiltIns();
        JarPluginHost jars = life.start(new JarPluginHost(config.pluginsDir(),
                config.dataDir().resolve("plugin-cache"), config.pluginLimits().jarSha256(), checks, policies.providers(), WATCH_PERIOD_MILLIS));
        ScriptHost scripts = life.start(new ScriptHost(config.scriptsDir(), config.checkTimeout(), config.pluginLimits(), checks,
                policies.providers(), WATCH_PERIOD_MILLIS));
        plugins = new PluginCatalog(checks, policies, jars, scripts);
        HealthMonitor health = life.start(new HealthMonitor(checks,
                () -> new RuntimeHealthContext(stores, clock, this::recoveryAsChecksSeeIt, config.dataDir()),
                config.healthInterval(), config.checkTimeout(), config.pluginLimits().checkRunners(), clock,
                metrics::healthChecked));

        // routes: the API over the use cases, probes, metrics; then the server
        Authenticator authenticator = new Authenticator(tokens(config), stores, clock, config.authFailuresPerMinute());
        Services services = Services.create(stores, signal, clock, config.settings(), config.limits(), policies,
                metrics, authenticator::forget);
        // schedules: every replica makes their jobs, each slot once
        // with a schedules file, nothing is declared until the file is read (an empty book would delete them)
        Scheduler scheduler = new Scheduler(stores, services.submitJobs(), clock, config.schedulesTick(),
                config.schedulesFile().isPresent() ? null : config.schedules());
        if (config.schedulerEnabled()) {
            life.start(scheduler);
        } else {
            LOG.log(System.Logger.Level.INFO, "scheduler.enabled is false: this replica makes no scheduled jobs");
        }
        config.schedulesFile().ifPresent(file -> life.start(new WatchedFile<>("schedule-watch", "schedules", file,
                content -> ScheduleBook.parse(file, content), scheduler::replace, ScheduleBook::summary,
                WATCH_PERIOD_MILLIS)));
        this.scheduler = scheduler;
        Schedules schedules = new Schedules(stores, clock, services.operatorActions());
        Api api = new Api(authenticator, config.maxBody());
        HealthHttpService healthHttp = new HealthHttpService(api, health, database::migrated, draining::get, clock);
        server = WebServer.builder()
                .config(config.config().get("server"))
                .addFeature(Routes.observers(healthHttp, health))
                .addFeature(Routes.openApi())
                .routing(Routes.api(api, config.settings(), services, schedules, recovery, plugins::list, policies::book,
                        metrics, healthHttp,
                        new ApiFilter(config.maxBody(), database::migrated)))
                .build();
        life.start(Background.of("http", server::start, server::stop));
        if (!server.isRunning()) {
            // Helidon logs why (a port taken, say) and carries on without a listener: a runtime that
            // serves nothing must not look alive, so it stops here and the process exits non-zero
            throw new IllegalStateException("The HTTP server did not start (is port "
                    + config.config().get("server.port").asInt().orElse(8080) + " taken?); see the error above");
        }
        LOG.log(System.Logger.Level.INFO, "Shepherd listening on port " + server.port() + " with "
                + database.dialect().name() + " (" + redact(database.url()) + ")");
    }

    /** Builds and starts the runtime with the system clock. */
    public static ShepherdServer start(ShepherdConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Builds and starts the runtime; if any part fails to start, the parts already started are closed. */
    public static ShepherdServer start(ShepherdConfig config, Clock clock) {
        Lifecycle life = new Lifecycle();
        try {
            return new ShepherdServer(config, clock, life);
        } catch (RuntimeException | Error e) {
            life.close();
            throw e;
        }
    }

    /** This replica's recovery scheduler as health checks see it. */
    private HealthContext.Recovery recoveryAsChecksSeeIt() {
        RecoveryScheduler.Status status = recovery.status();
        return new HealthContext.Recovery(status.leader(), config.recoveryEnabled(),
                config.recoveryInterval().toMillis(), status.lastSweepAt(), status.leaderSince());
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

    /** Every health check and recovery policy in force or refused: built-in, jar, script. */
    public List<PluginInfo> plugins() {
        return plugins.list();
    }

    public RecoveryScheduler recovery() {
        return recovery;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Policies policies() {
        return policies;
    }

    /** Waits until the schema is migrated (the API serves); false when the time ran out. */
    public boolean awaitMigrated(Duration timeout) throws InterruptedException {
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
        lifecycle.close();
        LOG.log(System.Logger.Level.INFO, "Shepherd stopped");
    }

    /**
     * How this replica is named where operators read it (the recovery leader, the console): its
     * host's name — the pod's, on Kubernetes — and its process id.
     */
    static String replicaName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "replica";
            }
        }
        String pid = "/" + ProcessHandle.current().pid();
        return host.substring(0, Math.min(host.length(), 64 - pid.length())) + pid;
    }
}
