package io.shepherd.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The benchmark's table: each row printed as it is measured (with the seconds since the start), then written as Markdown. */
final class Report {
    private final List<String[]> rows = new ArrayList<>();
    private final long began = System.nanoTime();

    void row(String what, String figure, String note) {
        rows.add(new String[]{what, figure, note});
        System.out.printf("  %-62s %-22s %s   [%.0f s]%n", what, figure, note, (System.nanoTime() - began) / 1e9);
    }

    /** The table as Markdown, with the machine and the wall time under it; written to {@code file}. */
    String write(Path file) throws Exception {
        StringBuilder md = new StringBuilder("| what | figure | note |\n| --- | --- | --- |\n");
        for (String[] r : rows) {
            md.append("| ").append(r[0]).append(" | ").append(r[1]).append(" | ").append(r[2]).append(" |\n");
        }
        md.append("\n").append(java.lang.Runtime.getRuntime().availableProcessors()).append(" cores; wall time ")
                .append((System.nanoTime() - began) / 1_000_000_000).append(" s; medians of ").append(Bench.RUNS)
                .append(" runs unless noted.\n");
        Files.writeString(file, md.toString());
        return md.toString();
    }
}
