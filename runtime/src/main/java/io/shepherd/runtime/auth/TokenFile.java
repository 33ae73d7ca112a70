package io.shepherd.runtime.auth;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * The tokens a runtime generated for itself on first start, kept under its data directory with
 * mode 0600 so that the CLI on the same machine can use them.
 */
public final class TokenFile {
    public static final String NAME = "tokens.json";

    private TokenFile() {
    }

    public static Path path(Path dataDir) {
        return dataDir.resolve(NAME);
    }

    /** Reads the file, creating it with one fresh token per role when it does not exist. */
    public static Authenticator.TokenSet loadOrCreate(Path dataDir) throws IOException {
        Path file = path(dataDir);
        createPrivateDirectory(dataDir);
        if (Files.exists(file)) {
            warnIfOpen(file);
            return read(file);
        }
        JsonObject json = Json.createObjectBuilder()
                .add("admin", Tokens.generate("sha_"))
                .add("client", Tokens.generate("shc_"))
                .add("enroll", Tokens.generate("she_"))
                .build();
        Path tmp = Files.createTempFile(dataDir, "tokens", ".tmp");
        try {
            setOwnerOnly(tmp);
            Files.writeString(tmp, json.toString() + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return read(file);
    }

    public static Authenticator.TokenSet read(Path file) throws IOException {
        try (var reader = Json.createReader(new StringReader(Files.readString(file)))) {
            JsonObject json = reader.readObject();
            return new Authenticator.TokenSet(List.of(json.getString("admin")), List.of(json.getString("client")),
                    List.of(json.getString("enroll")));
        }
    }

    /** The data directory, created readable by its owner only (0700) when it does not exist yet. */
    public static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** Says so when others than the owner may read or write the tokens (the admin token is in it). */
    static void warnIfOpen(Path file) {
        try {
            var permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                System.getLogger(TokenFile.class.getName()).log(System.Logger.Level.WARNING, file + " is readable or "
                        + "writable by others than its owner (" + PosixFilePermissions.toString(permissions)
                        + "); it holds the admin token: chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
    }

    private static void setOwnerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system; the directory's own protection applies
        }
    }
}
