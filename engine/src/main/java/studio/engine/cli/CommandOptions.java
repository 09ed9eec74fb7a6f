package studio.engine.cli;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.List;
import java.util.function.Consumer;

/**
 * A command's options built with picocli's programmatic API, each bound to its field by a lambda:
 * {@code options.option("--hidden_size").label("H").into(Integer.class, v -> hiddenSize = v)}.
 *
 * <p>Why not picocli's annotations: a cold JVM reads them through the JDK's annotation parser, a dynamic proxy class
 * per annotation type and reflection over every field, none of which JDK 17's class-data sharing keeps. For
 * {@code gstudio search} that was 35-40 ms of a 0.2 s run (the command line built in 56 ms; built this way, 18 ms).
 * Commands that are not on a search's path keep their annotations.
 */
final class CommandOptions {
    private final CommandSpec spec;

    private CommandOptions(CommandSpec spec) {
        this.spec = spec;
    }

    /**
     * The command {@code command} runs as, named {@code name}, with the usage text {@code description}; its options
     * keep the order they are added in, and {@link #standardHelpOptions} ends them.
     */
    static CommandOptions command(Object command, String name, IVersionProvider version, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name).versionProvider(version);
        spec.usageMessage().description(description).sortOptions(false);
        return new CommandOptions(spec);
    }

    /** {@code -h/--help} and {@code -V/--version}: picocli's mixinStandardHelpOptions without the annotated mixin. */
    CommandSpec standardHelpOptions() {
        option("-h", "--help").describe("Show this help message and exit.").usageHelp();
        option("-V", "--version").describe("Print version information and exit.").versionHelp();
        return spec;
    }

    /** Adds options to a command built some other way (picocli's annotations). */
    static CommandOptions of(CommandSpec spec) {
        return new CommandOptions(spec);
    }

    CommandSpec spec() {
        return spec;
    }

    /** An option called {@code names} (the first is the one help shows first), to be described and bound. */
    Option option(String... names) {
        return new Option(OptionSpec.builder(names));
    }

    /** The positional parameters, all of them, as one list of strings. */
    void positionals(String label, String description, Consumer<List<String>> field) {
        Binding<List<String>> binding = new Binding<>(field);
        spec.addPositional(PositionalParamSpec.builder().paramLabel(label).arity("0..*").description(description)
                .type(List.class).auxiliaryTypes(String.class).hasInitialValue(false).getter(binding).setter(binding).build());
    }

    /** One option being defined: its label, default and description, then the field it sets. */
    final class Option {
        private final OptionSpec.Builder builder;

        private Option(OptionSpec.Builder builder) {
            this.builder = builder.hasInitialValue(false);
        }

        Option label(String paramLabel) {
            builder.paramLabel(paramLabel);
            return this;
        }

        /** The value (as typed on a command line) the field gets when the option is not given; help shows it. */
        Option defaultValue(String value) {
            builder.defaultValue(value);
            return this;
        }

        Option describe(String description) {
            builder.description(description);
            return this;
        }

        /** Takes a value of {@code type}, which {@code field} receives (parsed or the default; not called otherwise). */
        <V> void into(Class<V> type, Consumer<V> field) {
            bind(builder.type(type), field);
        }

        /** A flag without a value: {@code field} receives true when it is given. */
        void flag(Consumer<Boolean> field) {
            bind(builder.type(Boolean.class).arity("0"), field);
        }

        private void usageHelp() {
            bind(builder.type(Boolean.class).arity("0").usageHelp(true), v -> { });
        }

        private void versionHelp() {
            bind(builder.type(Boolean.class).arity("0").versionHelp(true), v -> { });
        }

        private <V> void bind(OptionSpec.Builder b, Consumer<V> field) {
            Binding<V> binding = new Binding<>(field);
            spec.addOption(b.getter(binding).setter(binding).build());
        }
    }

    /**
     * Holds what picocli set (picocli reads it back: a list it appends to, a flag it sets) and passes every value but
     * null on to the field, so a field keeps its own initial value when the option has no default and is not given.
     */
    private static final class Binding<V> implements IGetter, ISetter {
        private final Consumer<V> field;
        private Object value;

        Binding(Consumer<V> field) {
            this.field = field;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T newValue) {
            T old = (T) value;
            value = newValue;
            if (newValue != null) field.accept((V) newValue);
            return old;
        }
    }
}
