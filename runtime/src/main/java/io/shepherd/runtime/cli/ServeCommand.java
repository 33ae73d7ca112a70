package io.shepherd.runtime.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.shepherd.runtime.ShepherdServer;
import io.shepherd.runtime.config.ShepherdConfig;
import io.shepherd.runtime.lifecycle.Threads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the runtime until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Shepherd runtime (embedded H2 in ./data unless SHEPHERD_DB_URL or db.url says otherwise).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file merged over the defaults")
    Path config;

    @Option(names = "--log-format", paramLabel = "json|text",
            description = "json (one JSON object per line) or text; default text on a terminal, json otherwise; env SHEPHERD_LOG_FORMAT")
    String logFormat;

    @Override
    public Integer call() throws InterruptedException {
        ShepherdConfig loaded = ShepherdConfig.load(Optional.ofNullable(config), System.getenv());
        ShepherdServer server = ShepherdServer.start(loaded);
        CountDownLatch stopped = new CountDownLatch(1);
        Threads.atShutdown("shutdown", () -> {
            server.close();
            // straight to SLF4J: java.util.logging resets itself in its own shutdown hook
            org.slf4j.LoggerFactory.getLogger(ServeCommand.class)
                    .info("Shepherd stopped: in-flight requests finished, connections closed");
            stopped.countDown();
        });
        stopped.await();
        return 0;
    }
}
