package io.shepherd.runtime;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Keeps {@code docs/architecture.md} true: its table of rooms says which room may import which,
 * and this test fails when the runtime's code has an arrow the table does not allow, when rooms
 * import each other in a circle, or when a part starts a thread other than through
 * {@code lifecycle.Threads}.
 */
class ArchitectureTest {
    static final String BASE = "io.shepherd.runtime";
    static final Path PAGE = Path.of("..", "docs", "architecture.md");
    /** A row of the rooms table: | `room/` | what it holds | `a/`, `b/` or nothing |. */
    static final Pattern ROW = Pattern.compile("^\\|\\s*`([\\w()]+)/?`\\s*\\|[^|]*\\|([^|]*)\\|\\s*$");

    static JavaClasses runtime;
    static Map<String, Set<String>> allowed;

    @BeforeAll
    static void read() throws Exception {
        runtime = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(BASE);
        allowed = rooms(section(Files.readAllLines(PAGE), "## The rooms of the runtime"));
    }

    /** The lines under a heading, up to the next heading. */
    static java.util.List<String> section(java.util.List<String> lines, String heading) {
        int from = lines.indexOf(heading);
        assertTrue(from >= 0, PAGE + " has no section " + heading);
        int to = from + 1;
        while (to < lines.size() && !lines.get(to).startsWith("## ")) {
            to++;
        }
        return lines.subList(from + 1, to);
    }

    /** The rooms table: room → the rooms it may import. */
    static Map<String, Set<String>> rooms(Iterable<String> lines) {
        Map<String, Set<String>> rooms = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                Set<String> may = new TreeSet<>();
                Matcher names = Pattern.compile("`([\\w()]+)/?`").matcher(m.group(2));
                while (names.find()) {
                    may.add(names.group(1));
                }
                rooms.put(m.group(1), may);
            }
        }
        return rooms;
    }

    /** {@code io.shepherd.runtime.db.postgres.X} → {@code db}; a class of the base package (only the wiring lives there) → {@code ShepherdServer}. */
    static String roomOf(JavaClass type) {
        String pkg = type.getPackageName();
        if (pkg.equals(BASE)) {
            return "ShepherdServer";
        }
        String rest = pkg.substring(BASE.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    @Test
    void thePageNamesEveryRoomOfTheCode() {
        Set<String> inCode = new TreeSet<>();
        runtime.forEach(c -> inCode.add(roomOf(c)));
        assertEquals(inCode, new TreeSet<>(allowed.keySet()),
                "docs/architecture.md's table of rooms and the packages under " + BASE + " differ");
    }

    @Test
    void everyImportBetweenRoomsIsOneThePageAllows() {
        Map<String, Set<String>> forbidden = forbidden(allowed);
        assertTrue(forbidden.isEmpty(), "imports docs/architecture.md does not allow: " + forbidden);
    }

    /** Arrows between rooms that the table does not allow: "from -> to" → which class uses which. */
    static Map<String, Set<String>> forbidden(Map<String, Set<String>> allowed) {
        Map<String, Set<String>> forbidden = new TreeMap<>();
        for (JavaClass type : runtime) {
            String from = roomOf(type);
            for (Dependency d : type.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (!target.getPackageName().startsWith(BASE)) {
                    continue;
                }
                String to = roomOf(target);
                if (!to.equals(from) && !allowed.getOrDefault(from, Set.of()).contains(to)) {
                    forbidden.computeIfAbsent(from + " -> " + to, k -> new TreeSet<>())
                            .add(type.getSimpleName() + " uses " + target.getSimpleName());
                }
            }
        }
        return forbidden;
    }

    @Test
    void roomsImportEachOtherInNoCircle() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(runtime);
    }

    @Test
    void onlyTheLifecycleRoomMakesThreads() {
        DescribedPredicate<JavaMethodCall> executorWithoutFactory = new DescribedPredicate<>(
                "Executors.new... without a ThreadFactory from lifecycle.Threads") {
            @Override
            public boolean test(JavaMethodCall call) {
                return call.getTargetOwner().isEquivalentTo(Executors.class) && call.getName().startsWith("new")
                        && call.getTarget().getRawParameterTypes().stream()
                        .noneMatch(p -> p.isEquivalentTo(ThreadFactory.class));
            }
        };
        ArchRule rule = noClasses().that().resideOutsideOfPackage(BASE + ".lifecycle..")
                .should().callConstructorWhere(DescribedPredicate.describe("a Thread",
                        c -> c.getTargetOwner().isAssignableTo(Thread.class)))
                .orShould().callMethodWhere(DescribedPredicate.describe("Thread.ofPlatform() or ofVirtual()",
                        c -> c.getTargetOwner().isEquivalentTo(Thread.class)
                                && (c.getName().equals("ofPlatform") || c.getName().equals("ofVirtual"))))
                .orShould().callMethodWhere(executorWithoutFactory);
        rule.check(runtime);
    }

    /** The check can fail: a table in which the store may import only core/ is refused, naming the arrow. */
    @Test
    void anImportTheTableDoesNotAllowIsCaught() {
        Map<String, Set<String>> strict = new LinkedHashMap<>(allowed);
        strict.putAll(rooms(java.util.List.of("| `store/` | the SQL | `core/` |")));
        Map<String, Set<String>> found = forbidden(strict);
        assertEquals(Set.of("store -> db"), found.keySet(), found.toString());
        assertTrue(found.get("store -> db").stream().anyMatch(s -> s.contains("Database")), found.toString());
    }
}
