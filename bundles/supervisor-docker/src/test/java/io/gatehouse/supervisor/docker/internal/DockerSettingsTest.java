package io.gatehouse.supervisor.docker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.api.module.ModuleRuntimeException;
import io.gatehouse.api.module.ModuleSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerSettingsTest {

    private static DockerSettings settings(Map<String, Object> settings) throws ModuleRuntimeException {
        return DockerSettings.of(new ModuleSpec("reader", "docker", "1", Map.of(), settings));
    }

    private static Map<String, Object> with(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("image", "plant.azurecr.io/reader:1");
        for (int i = 0; i < keyValues.length; i += 2) map.put((String) keyValues[i], keyValues[i + 1]);
        return map;
    }

    private static Map<String, Object> credential(String user, String password, String address) {
        Map<String, Object> c = new HashMap<>();
        c.put("username", user);
        c.put("password", password);
        c.put("address", address);
        return c;
    }

    @Test
    void defaultsToPullingOnCreateWithoutOptionsOrCredentials() throws Exception {
        DockerSettings s = settings(with());
        assertThat(s.pullPolicy()).isEqualTo(ImagePullPolicy.ON_CREATE);
        assertThat(s.createOptions().isEmpty()).isTrue();
        assertThat(s.credentials()).isEmpty();
        assertThat(settings(with("createOptions", "")).createOptions().isEmpty()).isTrue();
        assertThat(settings(with("createOptions", "null")).createOptions().isEmpty()).isTrue();
        assertThat(settings(with("createOptions", Map.of("User", "1000"))).createOptions().get("User").asText())
                .isEqualTo("1000");
        assertThat(settings(with("imagePullPolicy", "never")).pullPolicy()).isEqualTo(ImagePullPolicy.NEVER);
    }

    @Test
    void picksTheCredentialOfTheImagesRegistry() throws Exception {
        DockerSettings s = settings(with("registryCredentials", Map.of(
                "hub", credential("hubuser", "p1", "docker.io"),
                "plant", credential("plantuser", "p2", "https://plant.azurecr.io"))));
        assertThat(s.credentialForImage().username()).isEqualTo("plantuser");
        assertThat(s.credentialForImage().toString()).doesNotContain("p2");

        Map<String, Object> other = with("registryCredentials", Map.of("hub", credential("u", "p", "docker.io")));
        assertThat(settings(other).credentialForImage()).isNull();
    }

    @Test
    void refusesWhatItCannotUseWithTheReasonButNeverAPassword() {
        assertThatThrownBy(() -> settings(with("imagepullpolicy", "never")))
                .hasMessageContaining("unknown setting 'imagepullpolicy'");
        assertThatThrownBy(() -> settings(with("imagePullPolicy", "always")))
                .hasMessageContaining("'always' is not known");
        assertThatThrownBy(() -> settings(with("image", 5))).hasMessageContaining("settings.image must be a string");
        assertThatThrownBy(() -> settings(with("createOptions", "[1, 2]"))).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> settings(with("createOptions", List.of("x"))))
                .hasMessageContaining("must be a JSON string");
        assertThatThrownBy(() -> settings(with("registryCredentials", Map.of("plant",
                credential("u", "s3cret-pw", null)))))
                .hasMessageContaining("registryCredentials.plant.address must be a non-empty string")
                .hasMessageNotContaining("s3cret-pw");
        assertThatThrownBy(() -> DockerSettings.of(new ModuleSpec("reader", "docker", "1", Map.of("A=B", "x"),
                with()))).hasMessageContaining("environment variable name 'A=B'");
        assertThatThrownBy(() -> DockerSettings.of(new ModuleSpec("-reader", "docker", "1", Map.of(), with())))
                .hasMessageContaining("cannot name a container");
    }
}
