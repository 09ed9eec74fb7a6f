package studio.app.project;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.io.InputFileException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    private static Process otherInstance() throws Exception {
        return new ProcessBuilder("sleep", "120").start();
    }

    @Test
    void twoInstancesKeepTheirOwnRecoveryAndOnlyADeadOnesIsOffered(@TempDir Path dir) throws Exception {
        PlanningContext ctx = TestContexts.sample();
        var plan = TestContexts.loader().searchedPlan(ctx, 64);
        Path app = dir.resolve("app");
        ProjectStore mine = new ProjectStore(app);
        Process other = otherInstance();
        ProjectStore theirs = new ProjectStore(app, other.toHandle());
        Path theirFile = dir.resolve("theirs.gsp.json");
        theirs.writeRecovery(new Project(ctx.settings(), List.of(new Project.NamedPlan("theirs", plan)), "their notes"), theirFile);
        mine.writeRecovery(new Project(ctx.settings(), List.of(new Project.NamedPlan("mine", plan)), "my notes"));
        var scan = mine.scanRecovery();
        assertEquals(1, scan.found().size(), "a running instance's recovery is not offered: " + scan);
        assertEquals("my notes", scan.found().get(0).project().notes());
        mine.clearRecovery();
        assertTrue(Files.exists(theirs.recoveryFile(theirFile)), "clearing mine leaves theirs");
        other.destroy();
        other.waitFor();
        var after = mine.scanRecovery();
        assertEquals(1, after.found().size(), after.toString());
        assertEquals("their notes", after.found().get(0).project().notes());
        assertEquals(theirFile.toAbsolutePath(), after.found().get(0).projectFile());
        mine.discard(after.found().get(0));
        assertTrue(mine.scanRecovery().found().isEmpty());
    }

    @Test
    void aRecoveryFileThatDoesNotParseIsKeptAsideAndReported(@TempDir Path dir) throws Exception {
        ProjectStore store = new ProjectStore(dir);
        Files.createDirectories(store.recoveryDir());
        Path broken = store.recoveryDir().resolve("untitled-1.999999.json");
        Files.writeString(broken, "{\"format\": \"galvatron-studio-project\", \"settings\": ");
        var scan = store.scanRecovery();
        assertTrue(scan.found().isEmpty());
        assertEquals(1, scan.setAside().size());
        assertTrue(scan.setAside().get(0).contains("kept as") && scan.setAside().get(0).contains("broken"), scan.setAside().get(0));
        assertFalse(Files.exists(broken));
        try (var s = Files.list(store.recoveryDir().resolve("broken"))) {
            Path kept = s.findFirst().orElseThrow();
            assertEquals("{\"format\": \"galvatron-studio-project\", \"settings\": ", Files.readString(kept), "kept byte for byte");
        }
    }

    @Test
    void savesWriteThroughLinksKeepPermissionsAndCrashLeftoversAreCleaned(@TempDir Path dir) throws Exception {
        PlanningContext ctx = TestContexts.sample();
        var plan = TestContexts.loader().searchedPlan(ctx, 64);
        ProjectStore store = new ProjectStore(dir.resolve("app"));
        Path real = dir.resolve("shared/llama.gsp.json");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "old");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
        Path link = dir.resolve("llama.gsp.json");
        Files.createSymbolicLink(link, Path.of("shared/llama.gsp.json"));
        store.save(link, new Project(ctx.settings(), List.of(new Project.NamedPlan("p", plan)), ""));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertTrue(Files.readString(real).contains(ProjectStore.FORMAT), "the file it points at was written");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)), "permissions kept");
        try (var s = Files.list(real.getParent())) {
            assertEquals(1, s.count(), "no temporary file beside it");
        }
        // what a crash mid-write leaves: an old temporary file is removed at the next start, a fresh one (a write in
        // progress elsewhere) is kept
        Path app = dir.resolve("app");
        Path stale = app.resolve(".recent.json.123.gstudio-tmp");
        Path fresh = app.resolve(".recent.json.456.gstudio-tmp");
        Files.writeString(stale, "half");
        Files.writeString(fresh, "half");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        store.scanRecovery();
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
    }

    @Test
    void aRunKeepsItsPredictionTermByTermAndABrokenOneIsNamed(@TempDir Path dir) throws Exception {
        PlanningContext ctx = TestContexts.sample();
        var plan = TestContexts.loader().searchedPlan(ctx, 64);
        var prediction = new studio.app.cluster.RunPrediction("A100-80GB-SXM 1x8", new studio.engine.calibration.TimeTerms(3.5, 0.6, 0.25, 0.05), 31853);
        var run = new studio.app.cluster.RemoteRun("10.0.0.1", 22, "ml", "", 0, "run-1", 120, 4.61, 4.4, 30123.4, "finished", prediction);
        Project p = new Project(ctx.settings(), List.of(new Project.NamedPlan("p", plan)), "", List.of(), List.of(run));
        ProjectStore store = new ProjectStore(dir);
        Path f = dir.resolve("runs.gsp.json");
        store.save(f, p);
        var back = store.open(f).runs().get(0);
        assertEquals(run, back);
        // shown again without what it had: the earlier entry's measurement and prediction stay
        var again = new studio.app.cluster.RemoteRun("10.0.0.1", 22, "ml", "", 0, "run-1", 0, 0, 4.4, 0, "running").over(back);
        assertEquals(prediction, again.prediction());
        assertEquals(4.61, again.measuredIterationS());
        Files.writeString(f, Files.readString(f).replace("\"compute_s\" : 3.5", "\"compute_s\" : -1"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(InputFileException.class, () -> store.open(f));
        assertTrue(e.getMessage().contains("runs[0].prediction.compute_s"), e.getMessage());
    }
}
