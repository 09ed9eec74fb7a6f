package studio.app.compare;

import studio.engine.plan.ParallelPlan;

/** A plan on the comparison shelf. */
public record NamedPlan(String name, ParallelPlan plan) {
    @Override
    public String toString() { return name; }
}
