package io.gatehouse.router.internal.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.api.message.Message;
import io.gatehouse.api.message.SystemProperties;
import io.gatehouse.router.internal.RouteCompiler;
import io.gatehouse.router.internal.RouteSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConditionTest {
    private static final Object T = Boolean.TRUE;
    private static final Object F = Boolean.FALSE;
    private static final Object U = Special.UNDEFINED;

    private final RouteCompiler compiler = new RouteCompiler();
    private final ObjectMapper json = new ObjectMapper();

    /** A module message with app properties, system properties and a JSON body. */
    private static final Message MESSAGE = Message.builder()
            .systemProperty(SystemProperties.CONNECTION_DEVICE_ID, "edge1")
            .systemProperty(SystemProperties.CONNECTION_MODULE_ID, "filter")
            .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
            .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8")
            .systemProperty(SystemProperties.MESSAGE_ID, "m-1")
            .property("Level", "high")
            .property("count", "42")
            .property("$messageId", "shadow")
            .property("$body.temp", "app-wins")
            .body("{\"temp\": 21.5, \"name\": \"pump\", \"ok\": true, \"nothing\": null, \"obj\": {\"a\": [1, {\"b\": \"deep\"}]}, \"arr\": [10, 20]}"
                    .getBytes(StandardCharsets.UTF_8))
            .build();

    private Object eval(String condition) {
        return eval(condition, MESSAGE);
    }

    private Object eval(String condition, Message message) {
        return compiler.compileCondition(condition).evaluate(new EvaluationContext(message, json));
    }

    static Stream<Arguments> truthTables() {
        return Stream.of(
                // AND
                Arguments.of("true AND true", T), Arguments.of("true AND false", F), Arguments.of("false AND true", F),
                Arguments.of("false AND false", F), Arguments.of("true AND undefined", U), Arguments.of("undefined AND true", U),
                Arguments.of("false AND undefined", F), Arguments.of("undefined AND false", F), Arguments.of("undefined AND undefined", U),
                Arguments.of("null AND true", U), Arguments.of("null AND false", F),
                // OR
                Arguments.of("true OR true", T), Arguments.of("true OR false", T), Arguments.of("false OR true", T),
                Arguments.of("false OR false", F), Arguments.of("true OR undefined", T), Arguments.of("undefined OR true", T),
                Arguments.of("false OR undefined", U), Arguments.of("undefined OR false", U), Arguments.of("undefined OR undefined", U),
                Arguments.of("null OR true", T), Arguments.of("null OR false", U),
                // NOT
                Arguments.of("NOT true", F), Arguments.of("NOT false", T), Arguments.of("NOT undefined", U), Arguments.of("NOT null", U),
                // keyword case
                Arguments.of("true and false or true", T), Arguments.of("not false", T), Arguments.of("NoT false AnD true", T),
                // undefined operands from missing properties
                Arguments.of("missing = 'x'", U), Arguments.of("NOT (missing = 'x')", U),
                Arguments.of("missing = 'x' OR Level = 'high'", T), Arguments.of("missing = 'x' AND Level = 'low'", F));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("truthTables")
    void threeValuedLogic(String condition, Object expected) {
        assertThat(eval(condition)).isEqualTo(expected);
    }

    static Stream<Arguments> operators() {
        return Stream.of(
                // strings: ordinal, case-sensitive
                Arguments.of("'a' = 'a'", T), Arguments.of("'a' = 'A'", F), Arguments.of("'a' != 'b'", T), Arguments.of("'a' <> 'a'", F),
                Arguments.of("'a' < 'b'", T), Arguments.of("'B' < 'a'", T), Arguments.of("'b' <= 'b'", T), Arguments.of("'b' > 'a'", T),
                Arguments.of("'a' >= 'b'", F), Arguments.of("'abc' > 'ab'", T),
                // numbers as doubles: integers, reals, exponents, hex, negatives
                Arguments.of("1 = 1.0", T), Arguments.of("2 < 10", T), Arguments.of("2 <= 2", T), Arguments.of("3 > 2.5", T),
                Arguments.of("3 >= 4", F), Arguments.of("1 != 2", T), Arguments.of("1 <> 1", F),
                Arguments.of("0x1F = 31", T), Arguments.of("0XfF = 255", T), Arguments.of("1e3 = 1000", T), Arguments.of(".5 = 0.5", T),
                Arguments.of("2.5E-1 = 0.25", T), Arguments.of("-3 < -2", T), Arguments.of("-1.5 = - 1.5", T),
                // bools
                Arguments.of("true = true", T), Arguments.of("true != false", T), Arguments.of("false < true", T),
                // null / undefined operands
                Arguments.of("null = null", U), Arguments.of("undefined = undefined", U), Arguments.of("missing != 'x'", U),
                Arguments.of("$body.nothing = 1", U), Arguments.of("$body.nothing = null", U),
                // arithmetic and precedence
                Arguments.of("1 + 2 * 3 = 7", T), Arguments.of("(1 + 2) * 3 = 9", T), Arguments.of("7 % 4 = 3", T), Arguments.of("7 / 2 = 3.5", T),
                Arguments.of("10 - 4 - 3 = 3", T), Arguments.of("- (2 + 3) = -5", T), Arguments.of("1 / 0 > 1000000", T),
                Arguments.of("{$body.temp} * 2 = 43", T), Arguments.of("$body.name + 1 = 1", U),
                // concat
                Arguments.of("'a' || 'b' = 'ab'", T), Arguments.of("Level || '!' = 'high!'", T), Arguments.of("missing || 'x' = 'x'", U),
                // coalesce
                Arguments.of("(missing ?? 'dflt') = 'dflt'", T), Arguments.of("(Level ?? 'dflt') = 'high'", T),
                Arguments.of("(undefined ?? 'x') = 'x'", T), Arguments.of("($body.missing ?? 'x') = 'x'", U),
                Arguments.of("(missing ?? {$body.name}) = 'pump'", T),
                // NOT binds tighter than comparisons, comparisons tighter than AND, AND tighter than OR
                Arguments.of("NOT false = true", T), Arguments.of("false AND false OR true", T), Arguments.of("true OR false AND false", T));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("operators")
    void operatorsAndLiterals(String condition, Object expected) {
        assertThat(eval(condition)).isEqualTo(expected);
    }

    static Stream<Arguments> properties() {
        return Stream.of(
                // bare names: application properties, case-insensitive
                Arguments.of("Level = 'high'", T), Arguments.of("level = 'high'", T), Arguments.of("LEVEL = 'high'", T),
                Arguments.of("count = '42'", T), Arguments.of("is_defined(nope)", F),
                // bare names never read system properties
                Arguments.of("is_defined(connectionDeviceId)", F),
                // $name: app property literally named $name wins, else the system property
                Arguments.of("$messageId = 'shadow'", T), Arguments.of("{$messageId} = 'm-1'", T),
                Arguments.of("$connectionDeviceId = 'edge1'", T), Arguments.of("$connectionModuleId = 'filter'", T),
                Arguments.of("$ConnectionDeviceId = 'edge1'", T), Arguments.of("{$connectionDeviceId} = 'edge1'", T),
                Arguments.of("is_defined($level)", F), Arguments.of("is_defined($outputName)", F),
                Arguments.of("$correlationId = 'x'", U),
                // body queries
                Arguments.of("$body.temp = 'app-wins'", T), Arguments.of("{$body.temp} = 21.5", T),
                Arguments.of("$body.name = 'pump'", T), Arguments.of("$body.ok = true", T), Arguments.of("$body.ok", T),
                Arguments.of("$body.obj.a[0] = 1", T), Arguments.of("$body.obj.a[1].b = 'deep'", T), Arguments.of("$body.arr[1] = 20", T),
                Arguments.of("is_null($body.nothing)", T), Arguments.of("is_null($body.no.such.path)", T),
                Arguments.of("is_defined($body.obj)", F), Arguments.of("is_defined($body.arr)", F), Arguments.of("is_defined($body.arr[5])", T),
                Arguments.of("$BODY.name = 'pump'", T));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("properties")
    void propertyLookup(String condition, Object expected) {
        assertThat(eval(condition)).isEqualTo(expected);
    }

    static Stream<Arguments> builtins() {
        return Stream.of(
                Arguments.of("abs(-2) = 2", T), Arguments.of("exp(0) = 1", T), Arguments.of("ceiling(1.2) = 2", T),
                Arguments.of("floor(1.8) = 1", T), Arguments.of("sign(-3) = -1", T), Arguments.of("sqrt(9) = 3", T),
                Arguments.of("square(3) = 9", T), Arguments.of("power(2, 10) = 1024", T), Arguments.of("ABS(-1) = 1", T),
                Arguments.of("as_number(count) = 42", T), Arguments.of("as_number(count) > 40", T), Arguments.of("as_number(Level) = 1", U),
                Arguments.of("as_number('1.5e1') = 15", T), Arguments.of("as_number(3) = 3", T), Arguments.of("as_number('NaN') = 1", U),
                Arguments.of("is_bool(true)", T), Arguments.of("is_bool('true')", F), Arguments.of("is_number(1)", T),
                Arguments.of("is_number({$body.temp})", T), Arguments.of("is_number($body.temp)", F), Arguments.of("is_string($body.name)", T), Arguments.of("is_string(1)", F),
                Arguments.of("is_null(null)", T), Arguments.of("is_null(undefined)", F), Arguments.of("is_defined(null)", T),
                Arguments.of("is_defined(undefined)", F), Arguments.of("is_defined(Level)", T), Arguments.of("NOT is_defined($connectionModuleId)", F),
                Arguments.of("concat('a', 'b', 'c') = 'abc'", T), Arguments.of("concat(Level, missing) = 'high'", U),
                Arguments.of("length('abc') = 3", T), Arguments.of("lower('AbC') = 'abc'", T), Arguments.of("upper(Level) = 'HIGH'", T),
                Arguments.of("substring('abcdef', 2) = 'cdef'", T), Arguments.of("substring('abcdef', 1, 3) = 'bcd'", T),
                Arguments.of("substring('abc', 5) = 'x'", U), Arguments.of("substring('abc', 1, 9) = 'x'", U),
                Arguments.of("index_of('abcabc', 'c') = 2", T), Arguments.of("index_of('abc', 'z') = -1", T),
                Arguments.of("starts_with(Level, 'hi')", T), Arguments.of("ends_with(Level, 'gh')", T), Arguments.of("contains(Level, 'ig')", T),
                Arguments.of("starts_with(Level, 'HI')", F), Arguments.of("contains(missing, 'x')", U));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("builtins")
    void builtinFunctions(String condition, Object expected) {
        assertThat(eval(condition)).isEqualTo(expected);
    }

    static Stream<Arguments> compileErrors() {
        return Stream.of(
                Arguments.of("'a' = 1", "cannot compare string with number using '=' at line 1, column 5"),
                Arguments.of("1 < 'a'", "cannot compare number with string using '<'"),
                Arguments.of("true = 'true'", "cannot compare bool with string"),
                Arguments.of("Level = null", "cannot compare string with null"),
                Arguments.of("temperature > 30", "cannot compare string with number using '>' (properties are strings: convert with as_number(…)) at line 1, column 13"),
                Arguments.of("'a' AND true", "operator AND needs bools, got string and bool"),
                Arguments.of("false OR TRUE", "operator OR needs bools, got bool and string"),
                Arguments.of("true OR 1", "operator OR needs bools, got bool and number"),
                Arguments.of("NOT Level = 'x'", "operator NOT needs a bool, got string"),
                Arguments.of("- Level = 1", "operator '-' needs a number, got string"),
                Arguments.of("Level + 1 = 2", "operator '+' needs numbers, got string and number"),
                Arguments.of("1 || 'a' = 'a'", "operator '||' needs strings, got number and string"),
                Arguments.of("1 ?? 'a' = 'a'", "operator '??' needs operands of the same type"),
                // ?? binds loosest of all: this is missing ?? ('x' = 'x')
                Arguments.of("missing ?? 'x' = 'x'", "operator '??' needs operands of the same type, got string and bool"),
                Arguments.of("nosuch(1)", "unknown function 'nosuch' at line 1, column 1"),
                Arguments.of("twin_change_includes('properties.reported.x')", "unknown function 'twin_change_includes'"),
                Arguments.of("lower(1) = 'a'", "function lower expects lower(string), argument 1 is number"),
                Arguments.of("power(2) = 4", "function power takes 2 arguments, got 1"),
                Arguments.of("substring('a') = 'a'", "function substring takes 2 to 3 arguments, got 1"),
                Arguments.of("concat('a') = 'a'", "function concat takes at least 2 arguments, got 1"),
                Arguments.of("'abc'", "the condition is a string, not a bool"),
                Arguments.of("1 + 2", "the condition is a number, not a bool"),
                Arguments.of("$foo[0] = 'x'", "only $body queries may contain '[' or ']'"),
                Arguments.of("$body.a..b = 1", "empty field name in body path"),
                Arguments.of("$body.a[x] = 1", "array index 'x'"),
                Arguments.of("a = 'b' c", "syntax error"),
                Arguments.of("(a = 'b'", "syntax error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compileErrors")
    void typeErrorsAreFoundAtCompileTime(String condition, String expected) {
        assertThatThrownBy(() -> compiler.compileCondition(condition))
                .isInstanceOf(RouteSyntaxException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void bodyQueriesNeedJsonContentTypeAndUtfEncoding() {
        Message.Builder base = Message.builder().body("{\"t\": 5}".getBytes(StandardCharsets.UTF_8));
        assertThat(eval("$body.t = 5", base.build())).isEqualTo(U);
        assertThat(eval("$body.t = 5", base.systemProperty(SystemProperties.CONTENT_TYPE, "application/json").build())).isEqualTo(U);
        assertThat(eval("$body.t = 5", base.systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8").build())).isEqualTo(T);
        assertThat(eval("$body.t = 5", base.systemProperty(SystemProperties.CONTENT_TYPE, "APPLICATION/JSON").build())).isEqualTo(T);
        assertThat(eval("$body.t = 5", base.systemProperty(SystemProperties.CONTENT_ENCODING, "ascii").build())).isEqualTo(U);
        assertThat(eval("$body.t = 5", base.systemProperty(SystemProperties.CONTENT_TYPE, "text/plain")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8").build())).isEqualTo(U);
        Message utf16 = Message.builder().body("{\"t\": 5}".getBytes(StandardCharsets.UTF_16))
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "UTF-16").build();
        assertThat(eval("$body.t = 5", utf16)).isEqualTo(T);
    }

    @Test
    void malformedBodyIsUndefinedNotAnError() {
        Message broken = Message.builder().body("{not json".getBytes(StandardCharsets.UTF_8))
                .systemProperty(SystemProperties.CONTENT_TYPE, "application/json")
                .systemProperty(SystemProperties.CONTENT_ENCODING, "utf-8").build();
        assertThat(eval("$body.t = 5", broken)).isEqualTo(U);
        assertThat(eval("$body.t = 5 OR true", broken)).isEqualTo(T);
    }

    @Test
    void namesMayContainDashesDotsAndDigitsAsInIotEdge() {
        Message m = Message.builder().property("alert-level", "high").property("sensor.type", "t1").property("2x", "y").build();
        assertThat(eval("alert-level = 'high' AND sensor.type = 't1' AND 2x = 'y'", m)).isEqualTo(T);
        // so an operator next to a name needs whitespace: "a+1" is one name
        assertThat(eval("is_defined(alert-level+1)", m)).isEqualTo(F);
    }

    @Test
    void bodyIsParsedOncePerMessage() {
        EvaluationContext context = new EvaluationContext(MESSAGE, json);
        assertThat(context.jsonBody()).isSameAs(context.jsonBody());
    }
}
