package io.gatehouse.management.internal;

import static io.gatehouse.management.internal.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.management.internal.InitialDeployment.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitialDeploymentTest {
    private static final String V1 = "{'modulesContent': {'$edgeHub': {'properties.desired': "
            + "{'schemaVersion': '1.1', 'routes': {'r': 'FROM /messages/* INTO $upstream'}}}}}";
    private static final String V2 = V1.replace("'r'", "'r2'");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("etc/deployment.json");
    }

    private Path state() {
        return dir.resolve("data/management");
    }

    private InitialDeployment initial() {
        return new InitialDeployment(file(), state(), JsonBodies.newMapper());
    }

    private void writeFile(String manifest) throws Exception {
        Files.createDirectories(file().getParent());
        Files.write(file(), json(manifest));
    }

    @Test
    void withoutAFileNothingHappens() throws Exception {
        RecordingConfigurator configurator = new RecordingConfigurator();
        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.NO_FILE);
        assertThat(configurator.applied).isEmpty();
        assertThat(state()).doesNotExist();
    }

    @Test
    void theFileIsAppliedOnceThenARuntimeDeploymentSurvivesRestarts() throws Exception {
        writeFile(V1);
        RecordingConfigurator configurator = new RecordingConfigurator();

        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.APPLIED);
        assertThat(configurator.applied).hasSize(1);
        assertThat(state().resolve(InitialDeployment.DIGEST_FILE)).exists();

        // gatehouse deploy at run time, then a restart with the same file
        configurator.apply("{\"schemaVersion\":\"1.1\",\"routes\":{}}");
        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.UNCHANGED);
        assertThat(configurator.current()).isEqualTo("{\"schemaVersion\":\"1.1\",\"routes\":{}}");
    }

    @Test
    void aChangedFileIsApplied() throws Exception {
        writeFile(V1);
        RecordingConfigurator configurator = new RecordingConfigurator();
        initial().applyIfNeeded(configurator, null, null);

        writeFile(V2);

        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.APPLIED);
        assertThat(configurator.current()).contains("r2");
        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.UNCHANGED);
        assertThat(configurator.applied).hasSize(2);
    }

    @Test
    void anUnchangedFileIsAppliedAgainWhenTheGatewayHasNoConfiguration() throws Exception {
        writeFile(V1);
        initial().applyIfNeeded(new RecordingConfigurator(), null, null);

        RecordingConfigurator freshConfigurator = new RecordingConfigurator();
        assertThat(initial().applyIfNeeded(freshConfigurator, null, null)).isEqualTo(Outcome.APPLIED);
        assertThat(freshConfigurator.applied).hasSize(1);
    }

    @Test
    void aRefusedFileChangesNothingAndIsTriedAgainNextStart() throws Exception {
        writeFile(V1.replace("'1.1'", "'9.0'"));
        RecordingConfigurator configurator = new RecordingConfigurator("{\"schemaVersion\":\"1.0\",\"routes\":{}}");

        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.REFUSED);
        assertThat(configurator.current()).isEqualTo("{\"schemaVersion\":\"1.0\",\"routes\":{}}");
        assertThat(state().resolve(InitialDeployment.DIGEST_FILE)).doesNotExist();

        writeFile(V1);
        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.APPLIED);
    }

    @Test
    void aMalformedFileIsRefused() throws Exception {
        writeFile("{'modulesContent': ");
        RecordingConfigurator configurator = new RecordingConfigurator();
        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.REFUSED);
        assertThat(configurator.current()).isNull();
    }

    @Test
    void aFileWithModulesWaitsForTheAgentAndIsAppliedWhenItComes() throws Exception {
        writeFile("{'modulesContent': {'$edgeAgent': {'properties.desired': {'schemaVersion': '1.1', 'modules': {}}},"
                + "'$edgeHub': {'properties.desired': {'schemaVersion': '1.1', 'routes': {}}}}}");
        RecordingConfigurator configurator = new RecordingConfigurator();
        assertThat(initial().applyIfNeeded(configurator, null, null)).isEqualTo(Outcome.REFUSED);
        assertThat(configurator.applied).isEmpty();
        assertThat(state().resolve(InitialDeployment.DIGEST_FILE)).doesNotExist();

        RecordingAgentConfigurator agent = new RecordingAgentConfigurator();
        assertThat(initial().applyIfNeeded(configurator, agent, null)).isEqualTo(Outcome.APPLIED);
        assertThat(agent.applied).hasSize(1);
        assertThat(configurator.applied).hasSize(1);
    }
}
