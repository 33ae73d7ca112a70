package io.shepherd.runtime.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The operator's levers on bots: {@code drain} and {@code undrain} (one bot, or every bot carrying
 * the labels given), and {@code revoke}. Each is recorded as an operator action.
 */
public final class BotLeverCommand {
    private BotLeverCommand() {
    }

    /** One bot by id, or every bot whose labels hold all of these. */
    static final class Which {
        @Parameters(paramLabel = "BOT_ID", description = "The bot")
        String botId;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", required = true,
                description = "Every bot carrying this label (repeat for several: all must match)")
        Map<String, String> labels;
    }

    static Integer lever(Remote remote, Which which, String action) throws Exception {
        JsonObject answer;
        if (which.botId != null) {
            answer = remote.write("POST", "/v1/bots/" + URLEncoder.encode(which.botId, StandardCharsets.UTF_8) + "/"
                    + action, null).asJsonObject();
        } else {
            JsonObjectBuilder labels = Json.createObjectBuilder();
            which.labels.forEach(labels::add);
            answer = remote.write("POST", "/v1/bots/" + action, Json.createObjectBuilder().add("labels", labels).build())
                    .asJsonObject();
        }
        return remote.show(answer, a -> System.out.println(a.containsKey("bots")
                ? action + "ed " + a.getJsonArray("bots").size() + " bot(s): " + a.getJsonArray("bots")
                : "bot " + a.getString("id") + " is " + a.getString("status")));
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, description = "Drain a bot, or every bot carrying the "
            + "labels given: it claims nothing, finishes or gives back what it holds, then idles or exits (admin).")
    public static final class Drain implements Callable<Integer> {
        @Mixin
        Remote remote;

        @ArgGroup(multiplicity = "1")
        Which which;

        @Override
        public Integer call() throws Exception {
            return lever(remote, which, "drain");
        }
    }

    @Command(name = "undrain", mixinStandardHelpOptions = true,
            description = "Let a drained bot, or every bot carrying the labels given, claim again (admin).")
    public static final class Undrain implements Callable<Integer> {
        @Mixin
        Remote remote;

        @ArgGroup(multiplicity = "1")
        Which which;

        @Override
        public Integer call() throws Exception {
            return lever(remote, which, "undrain");
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a bot: its token stops working, "
            + "its jobs go back at once, its row stays for the record; enrolling again makes a new bot (admin).")
    public static final class Revoke implements Callable<Integer> {
        @Mixin
        Remote remote;

        @Parameters(paramLabel = "BOT_ID", description = "The bot to revoke")
        String botId;

        @Override
        public Integer call() throws Exception {
            JsonObject answer = remote.write("POST", "/v1/bots/" + URLEncoder.encode(botId, StandardCharsets.UTF_8)
                    + "/revoke", null).asJsonObject();
            return remote.show(answer, a -> System.out.println("revoked bot " + botId + "; released "
                    + a.getJsonArray("released").size() + " job(s)"));
        }
    }
}
