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

    /** An operator drained this bot (the heartbeat said so): no new claims; finish or give back what it holds. */
    void drain();

    /** An operator undrained this bot: claim again. */
    void undrain();

    /** Whether an operator's drain is in force for this process. */
    boolean drained();

    /** The runtime refused this bot's token (an admin revoked it). */
    void revoke(String detail);
}
