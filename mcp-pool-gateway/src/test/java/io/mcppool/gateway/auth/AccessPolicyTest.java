package io.mcppool.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessPolicyTest {

    private static AccessPolicy policy(String patterns) {
        return AccessPolicy.of(patterns.isEmpty() ? List.of() : Arrays.asList(patterns.split(" ")));
    }

    @ParameterizedTest(name = "[{0}] allows {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            *                              | files__read_file   | true
            *                              | ''                 | true
            files__*                       | files__read_file   | true
            files__*                       | files__            | true
            files__*                       | file__read         | false
            files__*                       | search__files__x   | false
            files__read_file               | files__read_file   | true
            files__read_file               | files__read_files  | false
            files__read_file               | xfiles__read_file  | false
            *__read_file                   | files__read_file   | true
            *__read_file                   | files__read_file2  | false
            files__*_file                  | files__read_file   | true
            files__*_file                  | files__file        | false
            a*b*c                          | abc                | true
            a*b*c                          | aXbYc              | true
            a*b*c                          | acb                | false
            a*b*c                          | abcb               | false
            a*bc*bc                        | abcbc              | true
            a*a                            | a                  | false
            a*a                            | aa                 | true
            **                             | anything           | true
            search__query files__read_*    | files__read_dir    | true
            search__query files__read_*    | search__query      | true
            search__query files__read_*    | search__other      | false
            ''                             | files__read_file   | false
            ''                             | ''                 | false
            """)
    void toolAndPromptNamesMatchGlobs(String patterns, String name, boolean allowed) {
        assertThat(policy(patterns).allows(name)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "[{0}] opens resources of {1} (prefix ''{2}''): {3}")
    @CsvSource(delimiter = '|', textBlock = """
            *                 | files | files__ | true
            files__*          | files | files__ | true
            fi*               | files | files__ | true
            f*s__*            | files | files__ | true
            files             | files | files__ | true
            files             | files | fs__    | true
            files__read_*     | files | files__ | false
            files__read_file  | files | files__ | false
            files__           | files | files__ | false
            *s__              | files | files__ | false
            search__*         | files | files__ | false
            files__*          | files | ''      | false
            *                 | files | ''      | true
            fs__*             | files | fs__    | true
            ''                | files | files__ | false
            """)
    void resourcesNeedAPatternCoveringTheWholePrefixOrTheServerName(String patterns, String server, String prefix,
                                                                    boolean allowed) {
        assertThat(policy(patterns).allowsResourcesOf(server, prefix)).isEqualTo(allowed);
    }

    @Test
    void theConstantsAllowAllAndNothing() {
        assertThat(AccessPolicy.ALL.allows("x__y")).isTrue();
        assertThat(AccessPolicy.ALL.allowsResourcesOf("x", "x__")).isTrue();
        assertThat(AccessPolicy.NONE.allows("x__y")).isFalse();
        assertThat(AccessPolicy.NONE.allowsResourcesOf("x", "x__")).isFalse();
    }

    @Test
    void keepsThePatternsAsGivenAndComparesByThem() {
        AccessPolicy policy = AccessPolicy.of(List.of("files__*", "search__query"));
        assertThat(policy.patterns()).containsExactly("files__*", "search__query");
        assertThat(policy).isEqualTo(AccessPolicy.of(List.of("files__*", "search__query")));
    }
}
