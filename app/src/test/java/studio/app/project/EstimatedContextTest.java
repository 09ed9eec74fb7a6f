package studio.app.project;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A studio reloads all day: the estimates it writes for the readers are gone once read. */
class EstimatedContextTest {
    private static long estimateFolders() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("gstudio-estimated-")).count();
        }
    }

    @Test
    void estimatedProfilesLeaveNoFolderBehind() throws Exception {
        long before = estimateFolders();
        ContextLoader loader = TestContexts.loader();
        for (String gpu : new String[] {"H100-80GB-SXM", "L40S-PCIe"}) {
            PlanningContext ctx = loader.load(ClusterSettings.sample().withGpu(gpu).withCluster(2, 8));
            assertTrue(ctx.isEstimated(), gpu + " has no measured profiles: " + ctx.sourceLabel());
            assertTrue(ctx.profiles().hardware() != null);
        }
        assertEquals(before, estimateFolders(), "the estimate folders were removed once their profiles were read");
    }
}
