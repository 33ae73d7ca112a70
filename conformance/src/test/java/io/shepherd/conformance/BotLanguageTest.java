package io.shepherd.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The output check every scenario ends with finds what it must, and only that. */
class BotLanguageTest {
    @Test
    void anUncaughtTracebackOrALeakIsFoundAHandlersLoggedFailureIsNot() {
        String logged = "{\"level\": \"WARN\", \"message\": \"Job j failed\", \"stack_trace\": \"Traceback (most recent "
                + "call last):\\n  File ...\"}\n";
        assertEquals(List.of(), BotLanguage.PYTHON.troublesIn(logged));
        String uncaught = logged + "Traceback (most recent call last):\n  File \"x.py\"\nValueError: boom\n"
                + "sys:1: ResourceWarning: unclosed <socket.socket fd=7>\n";
        assertEquals(List.of("Traceback (most recent call last):", "ResourceWarning: unclosed <socket.socket fd=7>"),
                BotLanguage.PYTHON.troublesIn(uncaught));
        assertEquals(List.of("Exception in thread \"main\" java.lang.IllegalStateException"),
                BotLanguage.JAVA.troublesIn("12:00 INFO x\nException in thread \"main\" java.lang.IllegalStateException\n"));
    }
}
