package studio.runner.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts one Python process a rank of a torch.distributed job on this node, with torchrun's environment. */
final class TorchRanks {
    private TorchRanks() {
    }

    /**
     * @param firstRank the global rank of this node's first process
     * @param local     processes on this node
     * @param world     processes in all
     */
    static List<Process> start(String python, Path script, List<String> args, int firstRank, int local, int world, String masterAddr,
                               int masterPort) throws IOException {
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < local; i++) {
            List<String> command = new ArrayList<>(List.of(python, script.toString()));
            command.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(command);
            var env = pb.environment();
            env.put("RANK", String.valueOf(firstRank + i));
            env.put("LOCAL_RANK", String.valueOf(i));
            env.put("WORLD_SIZE", String.valueOf(world));
            env.put("LOCAL_WORLD_SIZE", String.valueOf(local));
            env.put("MASTER_ADDR", masterAddr);
            env.put("MASTER_PORT", String.valueOf(masterPort));
            env.putIfAbsent("OMP_NUM_THREADS", "1");
            pb.redirectErrorStream(true);
            try {
                procs.add(pb.start());
            } catch (IOException e) {
                procs.forEach(Process::destroyForcibly);
                throw new IOException("cannot start " + python + " (" + e.getMessage() + "); --python names the Python with torch", e);
            }
        }
        return procs;
    }

    /**
     * Reads every process's output on a daemon thread of its own (a full pipe would stall the rank): each line goes
     * to {@code handler} first; a line it does not take is kept in {@code tail} (its last 4000 characters) when it
     * comes from rank {@code tailRank}, or from any rank with -1.
     */
    static List<Thread> drain(List<Process> procs, StringBuilder tail, int tailRank, java.util.function.Predicate<String> handler) {
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < procs.size(); i++) {
            final int rank = i;
            Process p = procs.get(i);
            Thread t = new Thread(() -> {
                try (java.io.BufferedReader br = new java.io.BufferedReader(
                        new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line; (line = br.readLine()) != null; ) {
                        if (handler.test(line) || (tailRank >= 0 && rank != tailRank)) continue;
                        synchronized (tail) {
                            tail.append(line).append('\n');
                            if (tail.length() > 4000) tail.delete(0, tail.length() - 4000);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
        return readers;
    }
}
