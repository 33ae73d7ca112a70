package io.shepherd.runtime.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code reset-bot}: release whatever a stuck bot holds and lift its quarantine. */
@Command(name = "reset-bot", mixinStandardHelpOptions = true,
        description = "Release every job a bot holds at once and let a quarantined bot claim again (admin).")
public final class ResetBotCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Parameters(paramLabel = "BOT_ID", description = "The bot to reset")
    String botId;

    @Override
    public Integer call() throws Exception {
        JsonObject answer = remote.write("POST", "/v1/bots/" + URLEncoder.encode(botId, StandardCharsets.UTF_8)
                + "/reset", null).asJsonObject();
        return remote.show(answer, a -> System.out.println("released " + a.getJsonArray("released").size() + " job(s)"));
    }
}
