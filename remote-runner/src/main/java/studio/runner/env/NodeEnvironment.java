package studio.runner.env;

import studio.engine.protocol.RunnerEvent;
import studio.runner.events.Event;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a node has: host, GPUs, CUDA, Python, torch, Galvatron, disk. Missing tools are reported, not failed on. */
public final class NodeEnvironment {
    private NodeEnvironment() {
    }

    /** Output of a command, or null when it is not there or fails. */
    public static String run(List<String> cmd, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
                return null;
            }
            try (InputStream in = p.getInputStream()) {
                String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                return p.exitValue() == 0 ? out : null;
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public static List<Event> probe(String python, Path runRoot) {
        List<Event> out = new ArrayList<>();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "unknown");
        }
        out.add(Event.of(RunnerEvent.HOST).put("name", host).put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("java", System.getProperty("java.version")).put("cpus", Runtime.getRuntime().availableProcessors()));
        String gpus = run(List.of("nvidia-smi", "--query-gpu=index,name,memory.total,driver_version", "--format=csv,noheader"), 10);
        if (gpus == null || gpus.isEmpty()) {
            out.add(Event.of(RunnerEvent.GPUS).put("found", false).put("detail", "nvidia-smi not found or no GPU"));
        } else {
            var arr = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            for (String line : gpus.split("\n")) {
                String[] f = line.split(",\\s*");
                var g = arr.addObject();
                g.put("index", f[0].strip());
                if (f.length > 1) g.put("name", f[1].strip());
                if (f.length > 2) g.put("memory", f[2].strip());
                if (f.length > 3) g.put("driver", f[3].strip());
            }
            out.add(Event.of(RunnerEvent.GPUS).put("found", true).put("count", arr.size()).set("devices", arr));
        }
        String smi = run(List.of("nvidia-smi"), 10);
        String cuda = null;
        if (smi != null) {
            var m = java.util.regex.Pattern.compile("CUDA Version:\\s*([0-9.]+)").matcher(smi);
            if (m.find()) cuda = m.group(1);
        }
        out.add(Event.of(RunnerEvent.CUDA).put("found", cuda != null).put("version", cuda == null ? "not found" : cuda));
        String py = run(List.of(python, "--version"), 10);
        out.add(Event.of(RunnerEvent.PYTHON).put("found", py != null).put("version", py == null ? "not found" : py));
        String torch = py == null ? null : run(List.of(python, "-c",
                "import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())"), 60);
        out.add(Event.of(RunnerEvent.TORCH).put("found", torch != null).put("version", torch == null ? "not found" : torch));
        String galvatron = py == null ? null : run(List.of(python, "-c",
                "import galvatron, os; print(getattr(galvatron, '__version__', 'installed'), os.path.dirname(galvatron.__file__))"), 60);
        out.add(Event.of(RunnerEvent.GALVATRON).put("found", galvatron != null).put("version", galvatron == null ? "not found" : galvatron));
        String torchrun = run(List.of("torchrun", "--help"), 30);
        out.add(Event.of(RunnerEvent.TORCHRUN).put("found", torchrun != null));
        try {
            Path p = runRoot;
            while (p != null && !Files.exists(p)) p = p.getParent();
            FileStore fs = Files.getFileStore(p == null ? Path.of("/") : p);
            out.add(Event.of(RunnerEvent.DISK).put("path", runRoot.toString()).put("free_gb", fs.getUsableSpace() / 1e9));
        } catch (IOException e) {
            out.add(Event.of(RunnerEvent.DISK).put("path", runRoot.toString()).put("free_gb", -1).put("detail", e.getMessage()));
        }
        return out;
    }
}
