package io.shepherd.bot;

/**
 * Turns SIGTERM and SIGINT into a graceful stop. With the JVM's own handling a signal would start
 * the shutdown hooks and end in exit code 143; handling them here lets the bot drain, deregister
 * and exit 0.
 */
final class SignalHandlers {
    private static final System.Logger LOG = System.getLogger(SignalHandlers.class.getName());

    private SignalHandlers() {
    }

    static void install(Runnable onSignal) {
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.log(System.Logger.Level.INFO, "SIG" + name + " received: stopping gracefully");
                    onSignal.run();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "Cannot handle SIG" + name + " (" + e + "); using a shutdown hook");
                Runtime.getRuntime().addShutdownHook(new Thread(onSignal));
                return;
            }
        }
    }
}
