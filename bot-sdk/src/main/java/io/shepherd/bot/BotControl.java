package io.shepherd.bot;

/** What the parts of a running bot ask of, and tell, the bot as a whole. */
interface BotControl {
    /** Whether heartbeats go on: while running and while draining at shutdown. */
    boolean beating();

    /** Whether the claimer takes new work. */
    boolean claiming();

    /** Whether another process took this identity over. */
    boolean superseded();

    /** The runtime refused this process's session: another process took the identity over. */
    void supersede(String detail);

    /** The runtime asks this bot to drain: no new claims. */
    void drain();
}
