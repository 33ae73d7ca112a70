package io.shepherd.bot;

/**
 * The SDK's time: monotonic time for deadlines, and waiting. Every part takes it from the bot's
 * settings, so a test can hand the bot a clock it moves itself instead of sleeping.
 */
interface BotClock {
    /** Monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Waits this long; an interrupt ends the wait early with {@link InterruptedException}. */
    void sleep(long millis) throws InterruptedException;

    /** The machine's clock. */
    BotClock SYSTEM = new BotClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };
}
