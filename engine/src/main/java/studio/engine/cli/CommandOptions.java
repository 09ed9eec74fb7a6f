package studio.engine.cli;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.lang.reflect.Field;
import java.util.List;

/**
 * A command's options built with picocli's programmatic API, each bound to a field of the object holding its value:
 * {@code options.option("--hidden_size").label("H").field(this, "hiddenSize")}.
 *
 * <p>Why not picocli's annotations: a cold JVM reads them through the JDK's annotation parser, a dynamic proxy class
 * per annotation type and reflection over every field, none of which JDK 17's class-data sharing keeps. For
 * {@code gstudio search} that was 30 ms of a 0.2 s run (its command line built in 56 ms; built this way, 26 ms).
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

    /** The positional parameters, all of them, as the list of strings in {@code target}'s field {@code field}. */
    void positionals(String label, String description, Object target, String field) {
        Binding binding = new Binding(target, field);
        if (binding.field.getType() != List.class) throw new IllegalStateException(binding.field + ": expected a List<String>");
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

        /**
         * Sets {@code target}'s field {@code field} (parsed or the default; left as it is otherwise), taking a value of
         * the field's type; a boolean field is a flag without a value, true when given.
         */
        void field(Object target, String field) {
            Binding binding = new Binding(target, field);
            Class<?> type = binding.field.getType();
            if (type == boolean.class) builder.arity("0");
            spec.addOption(builder.type(boxed(type)).getter(binding).setter(binding).build());
        }

        private void usageHelp() {
            spec.addOption(builder.type(Boolean.class).arity("0").usageHelp(true).build());
        }

        private void versionHelp() {
            spec.addOption(builder.type(Boolean.class).arity("0").versionHelp(true).build());
        }
    }

    private static Class<?> boxed(Class<?> type) {
        if (type == int.class) return Integer.class;
        if (type == boolean.class) return Boolean.class;
        if (type == double.class) return Double.class;
        if (type.isPrimitive()) throw new IllegalStateException("no option type for " + type);
        return type;
    }

    /**
     * Reads and writes the field itself (picocli reads it back: a list it appends to), writing every value but null, so
     * a field keeps its own initial value when the option has no default and is not given. By reflection rather than a
     * lambda per option: linking a lambda's call site costs a cold JVM 0.1-0.2 ms (12 ms for search's 60 options), a
     * field's accessor a hundredth of that. A wrong field name fails as the command line is built, which every
     * command-line test does.
     */
    private static final class Binding implements IGetter, ISetter {
        private final Object target;
        private final Field field;

        Binding(Object target, String name) {
            this.target = target;
            try {
                this.field = target.getClass().getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException(target.getClass().getSimpleName() + " has no field " + name, e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            try {
                return (T) field.get(target);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(field + " cannot be read by the command line", e);
            }
        }

        @Override
        public <T> T set(T newValue) {
            T old = get();
            if (newValue != null) {
                try {
                    field.set(target, newValue);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(field + " cannot be set from the command line", e);
                }
            }
            return old;
        }
    }
}
