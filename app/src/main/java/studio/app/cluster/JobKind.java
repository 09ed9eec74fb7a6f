package studio.app.cluster;

/** What a Slurm job does: trains the plan, or measures the cluster's hardware or the model for the profiles. */
public enum JobKind {
    TRAINING, HARDWARE_PROFILE, MODEL_PROFILE;

    public static JobKind parse(String text) {
        for (JobKind k : values()) if (k.name().equals(text)) return k;
        return TRAINING; // a project written before profiles ran as jobs
    }

    public boolean profiles() { return this != TRAINING; }
}
