package io.mycelium.net;

import com.typesafe.config.Config;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid$;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.List;

/**
 * Refuses, at cluster join, a process whose run id or config hash differs from the cluster's:
 * Pekko runs this on the member that receives the join and sends the messages back to the joining
 * process, which shuts down ({@code net host} then prints why). The coordinator prints them too.
 */
public final class RunCheck extends JoinConfigCompatChecker {
    static final String RUN = "mycelium.net.run-id", HASH = "mycelium.net.config-hash";

    public RunCheck() {}

    @Override
    public scala.collection.immutable.Seq<String> requiredKeys() { return CollectionConverters.asScala(List.of(RUN, HASH)).toList(); }

    @Override
    public ConfigValidation check(Config joining, Config ours) {
        List<String> errors = new ArrayList<>();
        for (String key : List.of(RUN, HASH)) {
            String theirs = joining.hasPath(key) ? joining.getString(key) : "(none)", mine = ours.getString(key);
            if (!theirs.equals(mine))
                errors.add("mycelium: refused at join: " + (key.equals(RUN) ? "run id " : "config hash ") + theirs + " is not this run's " + mine);
        }
        if (errors.isEmpty()) return Valid$.MODULE$;
        errors.forEach(System.err::println);
        return new Invalid(CollectionConverters.asScala(errors).toList());
    }
}
