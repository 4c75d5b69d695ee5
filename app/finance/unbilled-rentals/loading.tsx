import { FiguresLoading } from '@/app/finance/unbilled-rentals/FiguresLoading';

export default function Loading() {
  return (
    <section>
      <h1>Unbilled rentals</h1>
      <FiguresLoading asOfDay={null} />
    </section>
  );
}
