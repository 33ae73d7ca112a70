package io.shepherd.plugins.api;

import java.util.random.RandomGenerator;

/** What a recovery policy may consult: the read-only runtime view, and randomness for jitter. */
public interface PolicyContext extends RuntimeView {
    /** Randomness for jitter (seedable in tests). */
    RandomGenerator random();
}
