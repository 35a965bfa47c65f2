using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ActorContractivity.Deploy.Tests;

/// <summary>
/// A parsed YAML value (YamlDotNet, with merge keys resolved as docker-compose resolves them): a mapping, a sequence
/// or a scalar, navigated by key. A missing key fails the test with the path that was asked for.
/// </summary>
public sealed class Yaml
{
    private readonly object? _value;

    private Yaml(object? value, string path)
    {
        _value = value;
        Path = path;
    }

    /// <summary>Where this value sits in its file (for messages).</summary>
    public string Path { get; }

    /// <summary>The documents of a file.</summary>
    public static IReadOnlyList<Yaml> Load(string file)
    {
        var deserializer = new DeserializerBuilder().Build();
        using var reader = new StreamReader(file);
        var parser = new MergingParser(new Parser(reader));
        parser.Consume<StreamStart>();
        var documents = new List<Yaml>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var name = System.IO.Path.GetFileName(file);
            var path = documents.Count == 0 ? name : $"{name}#{documents.Count}";
            documents.Add(new Yaml(deserializer.Deserialize(parser), path));
        }

        return documents;
    }

    /// <summary>The value under a key of a mapping.</summary>
    public Yaml this[string key]
    {
        get
        {
            Assert.True(TryGet(key, out var value), $"{Path}: no '{key}'");
            return value;
        }
    }

    /// <summary>Is this a mapping with the key?</summary>
    public bool Has(string key) => TryGet(key, out _);

    /// <summary>The value under a key, if this is a mapping that has it.</summary>
    public bool TryGet(string key, out Yaml value)
    {
        if (_value is IDictionary<object, object> map && map.TryGetValue(key, out var found))
        {
            value = new Yaml(found, $"{Path}.{key}");
            return true;
        }

        value = new Yaml(null, $"{Path}.{key}");
        return false;
    }

    /// <summary>The items of a sequence.</summary>
    public IReadOnlyList<Yaml> Items
    {
        get
        {
            var list = Assert.IsType<List<object>>(_value, exactMatch: false);
            return list.Select((item, i) => new Yaml(item, $"{Path}[{i}]")).ToArray();
        }
    }

    /// <summary>The keys of a mapping.</summary>
    public IReadOnlyList<string> Keys =>
        Assert.IsType<Dictionary<object, object>>(_value, exactMatch: false).Keys.Select(k => (string)k).ToArray();

    /// <summary>A scalar as written.</summary>
    public string Text => Assert.IsType<string>(_value, exactMatch: false);

    /// <summary>A scalar that is a whole number.</summary>
    public int Int => int.Parse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A mapping of scalars (labels, selectors, a compose environment).</summary>
    public IReadOnlyDictionary<string, string> Strings => Keys.ToDictionary(k => k, k => this[k].Text);

    /// <inheritdoc />
    public override string ToString() => Path;
}
