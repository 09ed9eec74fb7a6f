package studio.engine.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A cluster's correction factors on disk ({@code <cluster>.calibration.json}), written atomically. */
public final class CalibrationFile {
    private static final String[] TERMS = {"compute", "communication", "data_parallel", "pipeline", "memory"};

    private CalibrationFile() {
    }

    /** The file of a cluster (GPU and shape) in {@code dir}. */
    public static Path of(Path dir, String gpu, int nodes, int gpusPerNode) {
        String key = (gpu + "-" + nodes + "x" + gpusPerNode).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.x-]+", "_");
        return dir.resolve(key + ".calibration.json");
    }

    public static void write(Path file, CorrectionFactors f) throws IOException {
        ObjectNode o = JsonFiles.mapper().createObjectNode();
        o.put("runs", f.runs());
        o.put("method", f.method().name());
        CorrectionFactors.Factor[] all = {f.compute(), f.communication(), f.dataParallel(), f.pipeline(), f.memory()};
        for (int i = 0; i < TERMS.length; i++) {
            ObjectNode t = o.putObject(TERMS[i]);
            t.put("factor", all[i].value());
            if (Double.isNaN(all[i].standardError())) t.putNull("standard_error");
            else t.put("standard_error", all[i].standardError());
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        JsonFiles.writeAtomically(file, o.toPrettyString());
    }

    /** The factors, or {@link CorrectionFactors#NONE} when the cluster has no file. */
    public static CorrectionFactors read(Path file) {
        if (!Files.isRegularFile(file)) return CorrectionFactors.NONE;
        ObjectNode o = JsonFiles.readObject(file);
        int runs = JsonFiles.integer(file, "runs", o.get("runs"), 0, 1_000_000, "the runs fitted");
        CorrectionFactors.Method method;
        try {
            method = CorrectionFactors.Method.valueOf(o.path("method").asText());
        } catch (IllegalArgumentException e) {
            throw new InputFileException(file, "method", "expected NONE, ONE_FACTOR or PER_TERM, got '" + o.path("method").asText() + "'");
        }
        CorrectionFactors.Factor[] all = new CorrectionFactors.Factor[TERMS.length];
        for (int i = 0; i < TERMS.length; i++) {
            ObjectNode t = JsonFiles.object(file, o, TERMS[i], null);
            double value = JsonFiles.positive(file, TERMS[i] + ".factor", t.get("factor"), "a correction factor");
            JsonNode se = t.get("standard_error");
            double error = se == null || se.isNull() ? Double.NaN : JsonFiles.nonNegative(file, TERMS[i] + ".standard_error", se, "a standard error");
            all[i] = new CorrectionFactors.Factor(value, error);
        }
        return new CorrectionFactors(runs, method, all[0], all[1], all[2], all[3], all[4]);
    }
}
