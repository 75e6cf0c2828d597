package io.gatehouse.twin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class JsonMergePatchTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private ObjectNode json(String text) throws Exception {
        return (ObjectNode) mapper.readTree(text.replace('\'', '"'));
    }

    @Test
    void objectsMergeRecursivelyNullRemovesAndOtherValuesReplace() throws Exception {
        ObjectNode target = json("{'a':{'b':1,'c':{'d':2,'e':3}},'f':[1,2],'g':'x'}");
        ObjectNode patch = json("{'a':{'c':{'d':null,'z':9}},'f':[3],'g':null,'h':{'i':true}}");

        ObjectNode result = JsonMergePatch.apply(target, patch);

        assertThat(result).isEqualTo(json("{'a':{'b':1,'c':{'e':3,'z':9}},'f':[3],'h':{'i':true}}"));
        assertThat(target).as("the target is not changed").isEqualTo(
                json("{'a':{'b':1,'c':{'d':2,'e':3}},'f':[1,2],'g':'x'}"));
    }

    @Test
    void anObjectPatchOnAScalarStartsFromAnEmptyObject() throws Exception {
        ObjectNode result = JsonMergePatch.apply(json("{'a':5}"), json("{'a':{'b':null,'c':1}}"));

        assertThat(result).isEqualTo(json("{'a':{'c':1}}"));
    }

    @Test
    void diffGivesThePatchThatTurnsOneIntoTheOther() throws Exception {
        ObjectNode from = json("{'keep':1,'gone':2,'nested':{'x':1,'y':2},'swap':{'o':1},'arr':[1]}");
        ObjectNode to = json("{'keep':1,'nested':{'x':1,'y':3,'w':4},'swap':'s','arr':[1,2],'new':0}");

        ObjectNode patch = JsonMergePatch.diff(from, to);

        assertThat(patch).isEqualTo(json("{'gone':null,'nested':{'y':3,'w':4},'swap':'s','arr':[1,2],'new':0}"));
        assertThat(JsonMergePatch.apply(from, patch)).isEqualTo(to);
        assertThat(JsonMergePatch.diff(to, to.deepCopy())).isEmpty();
    }
}
