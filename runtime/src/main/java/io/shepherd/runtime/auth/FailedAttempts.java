package io.shepherd.runtime.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed authentications by client address, so that guessing tokens is slow and cheap to refuse:
 * each address may fail {@code perMinute} times a minute (refilled steadily); past that its
 * requests with a token the runtime does not already know are answered 429 without a lookup,
 * until the budget refills. Memory is bounded: the addresses seen longest ago are forgotten
 * first, past {@link #MAX_ADDRESSES}.
 */
final class FailedAttempts {
    static final int MAX_ADDRESSES = 10_000;

    private final int perMinute;
    private final Map<String, Budget> byAddress = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Budget> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    /** What is left of an address's budget, as of {@code at}. */
    private static final class Budget {
        double left;
        long at;

        Budget(double left, long at) {
            this.left = left;
            this.at = at;
        }
    }

    FailedAttempts(int perMinute) {
        this.perMinute = perMinute;
    }

    /** 0 when the address may try; else how many seconds until it may try again. */
    synchronized long waitSeconds(String address, long now) {
        Budget b = byAddress.get(address);
        if (b == null) {
            return 0;
        }
        refill(b, now);
        return b.left >= 1 ? 0 : (long) Math.ceil((1 - b.left) * 60.0 / perMinute);
    }

    /** Counts one failure of the address. */
    synchronized void failed(String address, long now) {
        Budget b = byAddress.computeIfAbsent(address, a -> new Budget(perMinute, now));
        refill(b, now);
        b.left = Math.max(0, b.left - 1);
    }

    private void refill(Budget b, long now) {
        b.left = Math.min(perMinute, b.left + (now - b.at) * perMinute / 60_000.0);
        b.at = now;
    }

    synchronized int size() {
        return byAddress.size();
    }
}
