package io.shepherd.runtime.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code health}: the deep health check and the job counts; exit 1 when unhealthy. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Show /healthz and the job and bot counts; exit code 1 when unhealthy.")
public final class HealthCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Override
    public Integer call() throws Exception {
        int code = Remote.print(remote.get("/healthz", false));
        if (code == 0) {
            code = Remote.print(remote.get("/v1/stats", true));
        }
        return code;
    }
}
