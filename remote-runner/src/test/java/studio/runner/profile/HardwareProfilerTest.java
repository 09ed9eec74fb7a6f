package studio.runner.profile;

import studio.testsupport.FreePort;
import studio.testsupport.PythonTorch;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.io.JsonFiles;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.OptimizerStepProfile;
import studio.runner.RunnerCli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The hardware profiler's files and checks on real-looking numbers, and the shipped torch program run for real. */
class HardwareProfilerTest {
    private static final Path SHIPPED = Path.of("..", "sample-configs", "hardware_configs");

    @Test
    void theTorchProgramMeasuresTwoProcessesAndTheEngineReadsTheFiles(@TempDir Path out) throws Exception {
        String python = PythonTorch.find();
        assumeTrue(python != null, "no Python with torch on this machine (.ci/run installs python3-torch)");
        String[] args = {"profile-hardware", "--output", out.toString(), "--nproc-per-node", "2", "--python", python, "--size-mb", "1",
                "--sp-sizes-mb", "1,2,3,4,5,6,7,8", "--iters", "2", "--master-port", String.valueOf(FreePort.next())};
        RunnerCli r = RunnerCli.run(args);
        assertEquals(0, r.exitCode(), r.raw());
        assertEquals(5, r.named("profile_progress").size(), r.raw()); // allreduce, p2p, overlap, sp over 2, optimizer
        assertEquals("gloo", r.named("profile_finished").get(0).get("backend").asText(), r.raw());
        HardwareProfile h = HardwareProfile.read(2, out.resolve("allreduce_bandwidth_1nodes_2gpus_per_node.json"),
                out.resolve("p2p_bandwidth_1nodes_2gpus_per_node.json"), out.resolve("overlap_coefficient.json"),
                out.resolve("sp_time_1nodes_2gpus_per_node.json"));
        assertTrue(h.commCoe().get("2") > 0);
        assertTrue(h.p2pCoe().get(2) > 0);
        assertTrue(h.overlapCoe() >= 1.0);
        assertTrue(h.hasSpTables());
        // the optimizer step, which Galvatron does not profile: Adam over 1M and 4M fp32 parameters on each CPU process
        OptimizerStepProfile adam = OptimizerStepProfile.read(out.resolve(OptimizerStepProfile.FILE));
        assertTrue(adam.msPerMillionParameters() > 0, adam.toString());
        assertTrue(adam.stepMs(4 * 773.0) > adam.stepMs(773.0), "a larger shard steps longer");
        System.out.printf(java.util.Locale.ROOT, "[optimizer] Adam step on this CPU: %.3f ms + %.3f ms per million parameters%n",
                adam.fixedMs(), adam.msPerMillionParameters());

        // run again: every section is already measured, so it resumes straight to the files
        RunnerCli again = RunnerCli.run(args);
        assertEquals(0, again.exitCode(), again.raw());
        assertEquals(0, again.named("profile_progress").size(), again.raw());
        assertEquals(5, again.named("profile_finished").get(0).get("files").size());
    }

    @Test
    void realLookingMeasurementsBecomeGalvatronsFiles(@TempDir Path out) throws Exception {
        ObjectNode m = JsonFiles.mapper().createObjectNode();
        m.set("allreduce", JsonFiles.readObject(SHIPPED.resolve("allreduce_bandwidth_2nodes_8gpus_per_node.json")));
        m.set("p2p", JsonFiles.readObject(SHIPPED.resolve("p2p_bandwidth_2nodes_8gpus_per_node.json")));
        m.put("overlap_coe", 1.1256);
        m.set("sp", JsonFiles.readObject(SHIPPED.resolve("sp_time_1nodes_8gpus_per_node.json")));
        List<Path> files = HardwareFiles.write(m, 2, 8, out);
        assertEquals(List.of("allreduce_bandwidth_2nodes_8gpus_per_node.json", "p2p_bandwidth_2nodes_8gpus_per_node.json",
                "overlap_coefficient.json", "sp_time_2nodes_8gpus_per_node.json"), files.stream().map(f -> f.getFileName().toString()).toList());
        HardwareProfile h = HardwareProfile.read(16, files.get(0), files.get(1), files.get(2), files.get(3));
        assertEquals(1 / 44.682, h.commCoe().get("16"), 1e-12);
        assertEquals(1.1256, h.overlapCoe(), 1e-12);
        assertTrue(HardwareFiles.check(m, 8).isEmpty(), HardwareFiles.check(m, 8).toString());
        assertTrue(Files.readString(files.get(0)).contains("allreduce_size_8_consec_0"));
    }

    @Test
    void implausibleMeasurementsAreFlagged() {
        ObjectNode m = JsonFiles.mapper().createObjectNode();
        ObjectNode ar = m.putObject("allreduce");
        ar.put("allreduce_size_16_consec_1", 240.0); // across nodes, faster than NVLink inside one: wrong
        ar.put("allreduce_size_8_consec_1", 155.6);
        ar.put("allreduce_size_2_consec_1", 149.7);
        ObjectNode sp = m.putObject("sp");
        sp.put("allreduce_size_8_16MB_time", 0.9);
        sp.put("allreduce_size_8_32MB_time", 0.3); // twice the data in a third of the time
        ObjectNode adam = m.putObject("optimizer");
        adam.put("ms_per_million_parameters", 0.0); // four times the parameters, no longer: the device was busy
        adam.putArray("step_ms").add(5.0).add(4.9);
        List<String> f = HardwareFiles.check(m, 8);
        assertEquals(3, f.size(), f.toString());
        assertTrue(f.get(2).contains("optimizer step") && f.get(2).contains("[5.0,4.9]"), f.get(2));
        assertTrue(f.get(0).contains("across nodes measured 240.0 GB/s"), f.get(0));
        assertTrue(f.get(1).contains("allreduce over 8: 32 MB took 0.300 ms"), f.get(1));

        // four nodes: 32 GPUs faster than 16 across the same network
        ObjectNode wide = JsonFiles.mapper().createObjectNode();
        ObjectNode w = wide.putObject("allreduce");
        w.put("allreduce_size_32_consec_1", 60.0);
        w.put("allreduce_size_16_consec_1", 44.7);
        w.put("allreduce_size_8_consec_1", 155.6);
        List<String> g = HardwareFiles.check(wide, 8);
        assertEquals(1, g.size(), g.toString());
        assertTrue(g.get(0).contains("over 32 GPUs measured 60.0 GB/s, more than over 16 GPUs"), g.get(0));
    }

    @Test
    void tooFewSpMessageSizesAreRefusedBeforeAnythingRuns(@TempDir Path out) {
        RunnerCli r = RunnerCli.run("profile-hardware", "--output", out.toString(), "--nproc-per-node", "2", "--sp-sizes-mb", "1,2,4");
        assertEquals(1, r.exitCode(), r.raw());
        assertTrue(r.named("error").get(0).get("message").asText().contains("at least 8 whole message sizes"), r.raw());
        assertTrue(r.named("profile_started").isEmpty(), r.raw());
    }

    @Test
    void ncclTestsOutputGivesTheAverageBusBandwidth() {
        String out = """
                #  Rank  0 Group  0 Pid  12345 on node01 device  0 [0x07] NVIDIA A100-SXM4-80GB
                #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
                    67108864      16777216     float     sum      -1    745.2   90.06  157.60      0    744.9   90.09  157.66      0
                # Out of bounds values : 0 OK
                # Avg bus bandwidth    : 157.63
                """;
        assertEquals(157.63, HardwareFiles.ncclTestsBusBandwidth(out), 1e-12);
        assertEquals(-1, HardwareFiles.ncclTestsBusBandwidth("all_reduce_perf: command not found"), 1e-12);
    }
}
