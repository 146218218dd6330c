namespace MimScale.Bench; public static class BenchmarkMarker { }
