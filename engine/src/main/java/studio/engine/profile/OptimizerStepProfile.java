package studio.engine.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.JsonFiles;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The optimizer step as the studio's hardware profiler measured it on one device (Galvatron's profiles hold none):
 * gradient clipping, Adam's update of the fp32 parameters a rank holds, and zeroing the gradients, as a line in the
 * parameters updated. The step is memory-bound, so the line is a property of the device, not of the model.
 *
 * @param fixedMs                 the step's time at no parameters (launches, the clipping norm's reduction)
 * @param msPerMillionParameters  each further million fp32 parameters
 * @param file                    where it was read from (null when built in memory)
 */
public record OptimizerStepProfile(double fixedMs, double msPerMillionParameters, Path file) {
    /** The studio's file name, beside Galvatron's hardware files. */
    public static final String FILE = "optimizer_step_time.json";

    public OptimizerStepProfile {
        if (!(fixedMs >= 0) || !(msPerMillionParameters > 0) || Double.isInfinite(fixedMs) || Double.isInfinite(msPerMillionParameters)) {
            throw new IllegalArgumentException("optimizer step: expected a fixed time of at least 0 ms and a positive time per million "
                    + "parameters, got " + fixedMs + " and " + msPerMillionParameters);
        }
    }

    /** Reads {@link #FILE}; every error names the file and the key. */
    public static OptimizerStepProfile read(Path file) {
        ObjectNode json = JsonFiles.readObject(file);
        double fixed = JsonFiles.nonNegative(file, "fixed_ms", json.get("fixed_ms"), "the step's time at no parameters, in ms");
        double slope = JsonFiles.positive(file, "ms_per_million_parameters", json.get("ms_per_million_parameters"),
                "the step's time per million fp32 parameters, in ms");
        return new OptimizerStepProfile(fixed, slope, file);
    }

    /** The profile in {@code dir}, or null where the hardware profiler did not measure one there. */
    public static OptimizerStepProfile readIfPresent(Path dir) {
        Path file = dir.resolve(FILE);
        return Files.isRegularFile(file) ? read(file) : null;
    }

    /**
     * One step over {@code parameterMb} of fp32 parameters (Galvatron's unit: 4 bytes a parameter, MB of 2^20 bytes),
     * the parameters one rank's optimizer updates.
     */
    public double stepMs(double parameterMb) {
        return fixedMs + msPerMillionParameters * parameterMb * (1 << 20) / 4 / 1e6;
    }
}
