package io.shepherd.logging;

import java.io.Console;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.LogManager;

import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sets up a process's logging before anything logs: JSON lines on stdout (level, time, logger,
 * message, the MDC such as the correlation id, and the key-value fields a line carries, such as a
 * job's id), or a human-readable line. A process on a terminal logs text, anything else JSON
 * (what a log collector wants); {@code SHEPHERD_LOG_FORMAT} or {@code --log-format} decides
 * otherwise. java.util.logging — which Helidon and {@code System.Logger} use — is routed into the
 * same output. {@code SHEPHERD_LOG_LEVELS=logger=LEVEL,...} sets levels per logger, e.g.
 * {@code io.shepherd.runtime.jobs=DEBUG} for every job transition.
 */
public final class Logging {
    public static final String FORMAT_ENV = "SHEPHERD_LOG_FORMAT";
    public static final String LEVELS_ENV = "SHEPHERD_LOG_LEVELS";

    private Logging() {
    }

    /** {@code format}: {@code json}, {@code text}, or null for the environment's choice. */
    public static void configure(String format) {
        String chosen = format != null ? format : System.getenv().getOrDefault(FORMAT_ENV, onTerminal() ? "text" : "json");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile",
                    "text".equals(chosen.toLowerCase(Locale.ROOT)) ? "shepherd-logback-text.xml" : "shepherd-logback-json.xml");
        }
        LogManager.getLogManager().reset();
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(Level.INFO);
        levels(System.getenv(LEVELS_ENV));
    }

    /**
     * Sets levels per logger from {@code name=LEVEL} pairs separated by commas; a pair that does
     * not parse is reported on stderr and skipped, never fatal.
     */
    public static void levels(String spec) {
        if (spec == null || spec.isBlank()) {
            return;
        }
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? "" : pair.substring(0, eq).trim();
            String level = eq < 0 ? "" : pair.substring(eq + 1).trim().toUpperCase(Locale.ROOT);
            if (name.isEmpty() || !level.matches("TRACE|DEBUG|INFO|WARN|ERROR|OFF")) {
                System.err.println(LEVELS_ENV + ": skipped '" + pair.trim() + "' (expected logger=TRACE|DEBUG|INFO|WARN|ERROR|OFF)");
                continue;
            }
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.toLevel(level));
            }
        }
    }

    /** Whether standard output is a terminal a person reads. */
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22+: a console is there even when output is redirected; ask whether it is a terminal
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // Java 21: a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
