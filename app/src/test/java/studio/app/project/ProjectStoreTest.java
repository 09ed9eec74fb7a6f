package studio.app.project;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.io.InputFileException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectStoreTest {
    @Test
    void saveOpenRecoverAndRecent(@TempDir Path dir) throws Exception {
        PlanningContext ctx = TestContexts.sample();
        var plan = TestContexts.loader().searchedPlan(ctx, 64);
        ProjectStore store = new ProjectStore(dir.resolve("app"));
        Project p = new Project(ctx.settings(), List.of(new Project.NamedPlan("searched", plan)), "first try");
        Path file = dir.resolve("llama.gsp.json");
        store.save(file, p);
        String text = Files.readString(file);
        assertTrue(text.contains("\"format\" : \"galvatron-studio-project\"") && text.contains("\"cp_sizes_enc\""), text);
        Project back = store.open(file);
        assertEquals(p, back);
        assertEquals(List.of(file.toAbsolutePath()), store.recent());
        assertNull(store.recover());
        store.writeRecovery(p);
        assertEquals(p, store.recover());
        store.clearRecovery();
        assertNull(store.recover());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "atomic writes leave no temporary file");
        }
    }

    @Test
    void aForeignFileIsRefusedClearly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"pp_deg\": 1}");
        InputFileException e = assertThrows(InputFileException.class, () -> new ProjectStore(dir).open(f));
        assertTrue(e.getMessage().contains("x.json") && e.getMessage().contains("format"), e.getMessage());
    }
}
