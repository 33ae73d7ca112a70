package io.shepherd.logging;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.LogManager;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sets up a process's logging before anything logs: JSON lines on stdout by default (level,
 * time, logger, message, and MDC such as the request's correlation id), or a human-readable line
 * with {@code SHEPHERD_LOG_FORMAT=text}. java.util.logging — which Helidon and
 * {@code System.Logger} use — is routed into the same output.
 */
public final class Logging {
    public static final String FORMAT_ENV = "SHEPHERD_LOG_FORMAT";

    private Logging() {
    }

    /** {@code format}: {@code json}, {@code text}, or null for the environment's choice (json). */
    public static void configure(String format) {
        String chosen = format != null ? format : System.getenv().getOrDefault(FORMAT_ENV, "json");
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile",
                    "text".equals(chosen.toLowerCase(Locale.ROOT)) ? "shepherd-logback-text.xml" : "shepherd-logback-json.xml");
        }
        LogManager.getLogManager().reset();
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(Level.INFO);
    }
}
