package io.shepherd.runtime.core;

import java.util.List;
import java.util.Locale;

/**
 * What plugins may use, and which plugin jars are trusted.
 *
 * @param scriptMemory  bytes one script run may allocate (counted as the JVM counts its thread's
 *                      allocations, garbage included) before it is stopped
 * @param scriptRunners script runs at a time; the rest wait in a short queue or are refused
 * @param scriptHeapGuard how full, in percent of the largest heap, a garbage collection may leave
 *                      the heap before every script run in progress is stopped (100: never)
 * @param checkRunners  health checks of plugins running at a time (one per check at most)
 * @param jarSha256     when not empty: the SHA-256 sums (hex) of the only plugin jars that are loaded
 */
public record PluginLimits(long scriptMemory, int scriptRunners, int scriptHeapGuard, int checkRunners,
                           List<String> jarSha256) {
    public PluginLimits {
        if (scriptMemory < 1024 * 1024) {
            throw new IllegalArgumentException("scripts.memory-limit must be at least 1 MiB, was " + scriptMemory);
        }
        if (scriptRunners < 1 || scriptRunners > 64) {
            throw new IllegalArgumentException("scripts.runners must be between 1 and 64, was " + scriptRunners);
        }
        if (scriptHeapGuard < 10 || scriptHeapGuard > 100) {
            throw new IllegalArgumentException("scripts.heap-guard must be between 10 % and 100 %, was " + scriptHeapGuard);
        }
        if (checkRunners < 1 || checkRunners > 256) {
            throw new IllegalArgumentException("health.check-runners must be between 1 and 256, was " + checkRunners);
        }
        jarSha256 = jarSha256.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        for (String sum : jarSha256) {
            if (!sum.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("plugins.sha256 takes SHA-256 sums as 64 hex digits, was " + sum);
            }
        }
    }

    public static PluginLimits defaults() {
        return new PluginLimits(32L * 1024 * 1024, 4, 70, 16, List.of());
    }

    /** {@code 70%} or {@code 70}. */
    public static int parsePercent(String key, String text) {
        String t = text.trim();
        try {
            return Integer.parseInt(t.endsWith("%") ? t.substring(0, t.length() - 1).trim() : t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a percentage such as 70%, was " + text);
        }
    }

    /** {@code 64m}, {@code 512k}, {@code 1g} or a number of bytes. */
    public static long parseBytes(String key, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + " must be a size such as 64m, 512k or a number of bytes, was " + text);
        }
    }
}
