package io.shepherd.bot;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import jakarta.json.JsonObject;

/**
 * Who this bot is, kept in its state directory so that a restarted process resumes the same
 * bot: its id, its token (mode 0600) and the runtime's heartbeat interval.
 */
record Identity(String botId, String token, long heartbeatIntervalMs) {
    static final String FILE = "bot.json";

    static Optional<Identity> load(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (var reader = RuntimeApi.JSON.createReader(new StringReader(Files.readString(file)))) {
            JsonObject json = reader.readObject();
            return Optional.of(new Identity(json.getString("id"), json.getString("token"),
                    json.getJsonNumber("heartbeatIntervalMs").longValue()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(file + " is damaged (" + e.getMessage() + "); remove it to register anew", e);
        }
    }

    void save(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            Path tmp = Files.createTempFile(stateDir, "bot", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(tmp, RuntimeApi.JSON.createObjectBuilder()
                    .add("id", botId)
                    .add("token", token)
                    .add("heartbeatIntervalMs", heartbeatIntervalMs)
                    .build().toString() + "\n");
            Files.move(tmp, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the bot's identity under " + stateDir, e);
        }
    }

    static void forget(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
